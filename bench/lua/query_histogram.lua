--[[ query_histogram: the per-command work of the histogram scripts of bench/run's "lua"
sub-benchmark, loaded with require("query_histogram") through --lua-path.

key(packet) says what a command counts as:
  COM_QUERY, COM_STMT_PREPARE   "patterns", the statement normalized by mysql.tokenizer
                                (literals become ?, so "... WHERE id=1" and "... id=2" count
                                together)
  COM_STMT_EXECUTE              "statements", the statement id
  anything else                 nil

A module is loaded once per worker VM, so per_worker is one plain Lua table per worker
thread, shared by that worker's connections and by no other worker. ]]

local tokenizer = require("mysql.tokenizer")
local proto = require("mysql.proto")

local COM_QUERY, COM_STMT_PREPARE = proxy.COM_QUERY, proxy.COM_STMT_PREPARE
local COM_STMT_EXECUTE = proxy.COM_STMT_EXECUTE

local M = { per_worker = { patterns = {}, statements = {} } }

function M.key(packet)
  local command = packet:byte()
  if command == COM_QUERY or command == COM_STMT_PREPARE then
    return "patterns", tokenizer.normalize(packet:sub(2))
  elseif command == COM_STMT_EXECUTE then
    return "statements", proto.stmt_id_from_stmt_execute_packet(packet)
  end
end

return M
