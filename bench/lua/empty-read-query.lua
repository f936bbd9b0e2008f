-- empty-read-query.lua: configuration (b) of bench/run's "lua" sub-benchmark. A hook that
-- does nothing: what tessera pays for calling into a script on every command.
function read_query(packet) end
