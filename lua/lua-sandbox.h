/* lua-sandbox.h: what scripts may use.
 *
 * Sandboxed (the default), the VM's globals hold only:
 *   base:      assert error getmetatable setmetatable ipairs pairs next
 *              pcall xpcall print rawequal rawget rawset select tonumber
 *              tostring type unpack gcinfo _G _VERSION, and wrapped:
 *              load / loadstring   source text only (mode "t" is forced);
 *                                  the chunk's environment defaults to the
 *                                  caller's (its connection), not the VM's
 *              getfenv             as in Lua 5.1
 *              setfenv             not on level 0, C functions or
 *                                  functions of the VM's own libraries
 *              collectgarbage      "collect", "step" and "count" only
 *              pairs / ipairs      honour __pairs / __ipairs (LuaJIT is
 *                                  built without Lua 5.2 compatibility)
 *              xpcall              the handler is skipped once the
 *                                  instruction budget is spent
 *              require             built-in modules, then --lua-path
 *   string (without dump; the string metatable is hidden: getmetatable("")
 *   is false), table, math, bit, coroutine,
 *   os: clock date difftime time only,
 *   package: loaded, preload, path, cpath (no loaders, no loadlib).
 * Absent: io, debug, ffi, jit, dofile, loadfile, newproxy, module,
 * os.execute/exit/getenv/remove/rename/tmpname/setlocale.
 *
 * --lua-allow-unsafe opens every standard library as LuaJIT ships them
 * (package.path gets --lua-path in front); pairs/ipairs/xpcall are
 * wrapped as above and require still finds the built-in modules. */
#ifndef TESSERA_LUA_SANDBOX_H
#define TESSERA_LUA_SANDBOX_H

/* The functions live in lua-private.h (tsr_lua_sandbox_open,
 * tsr_lua_load_text): only the VM uses them. */

#endif
