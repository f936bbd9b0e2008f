-- examples/sharding/minimal.lua: one server, one table in 4 shards on it
-- (t_0 .. t_3), so that shards can move to other servers later.
return {
  groups = { main = { primary = "127.0.0.1:3306" } },
  tables = {
    ["app.t"] = { shard_key = "id", method = "hash", shards = 4 },
  },
}
