-- examples/sharding/moved-shard.lua: minimal.lua after shard 3 moved to a
-- second server. The rows did not change shard (the key still decides the
-- shard, key mod 4); only the shard's group did. Copy t_3 to the new
-- server, then reload tessera with this map.
return {
  groups = {
    main = { primary = "127.0.0.1:3306" },
    second = { primary = "127.0.0.1:3307" },
  },
  default_group = "main",
  tables = {
    ["app.t"] = { shard_key = "id", method = "hash",
                  shards = { { group = "main" }, { group = "main" }, { group = "main" },
                             { group = "second" } } },
    -- rows of app.t_items with the same id are on the same shard and group
    ["app.t_items"] = { shard_key = "t_id", binding = "app.t" },
  },
}
