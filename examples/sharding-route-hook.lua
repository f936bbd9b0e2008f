-- sharding-route-hook.lua: a read_route hook for the sharding plugin: it sees
-- each statement parsed and the router's decision, and changes that
-- decision by two rules (docs/sharding.md, "Changing the router's decision").
--
--   tessera --sharding-config=shop.lua --proxy-lua-script=examples/sharding-route-hook.lua
--
-- 1. UPDATE and DELETE without WHERE are refused, on any table: the client
--    gets ERR 1235 with the message below and nothing runs anywhere.
-- 2. Reads of the tables listed in READS_TO run on the group named there,
--    without a routing hint in the query: here the broadcast table
--    `countries` is read from g2's copy instead of the default group's. A
--    read that also names a table not listed keeps the router's plan.
--
-- (The file lives in examples/ and not in examples/sharding/, where every
-- file is a shard map.)

local READS_TO = {
  countries = "g2",
}

function read_route(route)
  local st = route.statement
  if not st then return end   -- the parser cannot read it: the router's plan stands

  if (st.kind == "update" or st.kind == "delete") and not st.where then
    route.refuse = st.kind:upper() .. " without WHERE is not allowed through this proxy: add a WHERE clause"
    return
  end

  -- One step: the tables are all in one place (a broadcast table's copy, a
  -- vertical table's group).
  if st.kind ~= "select" or route.kind ~= "shards" or #route.steps ~= 1 then return end
  local group
  for _, t in ipairs(st.tables) do
    local g = READS_TO[t.name]
    if not g or (group and g ~= group) then return end
    group = g
  end
  if group then route.steps[1].group = group end
end
