-- histogram-shared.lua: configuration (d) of bench/run's "lua" sub-benchmark. Counts every
-- command per pattern (see query_histogram.lua) in proxy.global, one histogram for all
-- workers, with proxy.shared.incr.
local query_histogram = require("query_histogram")

if not proxy.global.lua_bench_histogram then
  proxy.global.lua_bench_histogram = { patterns = {}, statements = {} }
end
-- Live views of the shared tables, taken once per connection rather than per command.
local shared = proxy.global.lua_bench_histogram
local histogram = { patterns = shared.patterns, statements = shared.statements }

function read_query(packet)
  local kind, key = query_histogram.key(packet)
  if kind then
    proxy.shared.incr(histogram[kind], key)
  end
end
