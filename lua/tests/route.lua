-- The read_route script of test-lua-route.c: what it does with the route
-- depends on the global `mode`, which the test sets before each call; what
-- it saw is kept in `seen`.
mode = "look"
seen = {}
calls = 0

local function describe(route)
  local steps = {}
  for i, s in ipairs(route.steps) do
    steps[i] = s.group .. ":" .. tostring(s.shard) .. ":" .. s.sql
  end
  return string.format("%s|%s|%s|%s|%s|%s", route.query, tostring(route.params), route.kind,
                       tostring(route.write), tostring(route.merge), table.concat(steps, ";"))
end

function read_route(route)
  calls = calls + 1
  seen = { route = describe(route), mt = getmetatable(route), proxy = proxy.connection.id }
  if mode == "look" then
    return
  elseif mode == "statement" then
    local st = route.statement
    seen.kind = st.kind
    seen.table = st.tables[1] and st.tables[1].name
    seen.where = st.where
    seen.same = rawequal(route.statement, st)
    seen.error = route.statement_error
  elseif mode == "statement_error" then
    seen.error = route.statement_error
    seen.statement = route.statement
  elseif mode == "move" then
    route.steps[1].group = "g2"
    route.steps[1].sql = route.steps[1].sql .. " /* moved */"
  elseif mode == "replace" then
    route.steps = { { group = "g1", sql = "SELECT 1" }, { group = "g2", shard = 3, sql = "SELECT 2" } }
  elseif mode == "refuse" then
    route.refuse = "no " .. route.statement.kind .. " without WHERE"
  elseif mode == "refuse_true" then
    route.refuse = true
  elseif mode == "bad_group" then
    route.steps[2].group = 7
  elseif mode == "bad_steps" then
    route.steps = "everywhere"
  elseif mode == "bad_shard" then
    route.steps[1].shard = 1.5
  elseif mode == "bad_refuse" then
    route.refuse = {}
  elseif mode == "raise" then
    error("no route for " .. route.query)
  elseif mode == "spin" then
    while true do end
  end
  return 42   -- ignored
end
