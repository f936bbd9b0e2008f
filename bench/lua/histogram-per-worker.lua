-- histogram-per-worker.lua: configuration (c) of bench/run's "lua" sub-benchmark. Counts
-- every command per pattern (see query_histogram.lua) in a plain Lua table of its worker.
local query_histogram = require("query_histogram")
local histogram = query_histogram.per_worker

function read_query(packet)
  local kind, key = query_histogram.key(packet)
  if kind then
    local counts = histogram[kind]
    counts[key] = (counts[key] or 0) + 1
  end
end
