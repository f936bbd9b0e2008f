-- examples/sharding/demo.lua: the shard map of scripts/demo. Two MariaDB
-- servers, g1 and g2 (scripts/demo writes the ports its servers got over
-- 3306 and 3307 in a copy of this file); customers spread over 4 shards by
-- id (customers_0 .. customers_3: 0 and 2 on g1, 1 and 3 on g2), each
-- customer's orders on the customer's shard, and the countries copied to
-- both servers.
return {
  groups = {
    g1 = { primary = "127.0.0.1:3306" },
    g2 = { primary = "127.0.0.1:3307" },
  },
  default_group = "g1",
  users = { { user = "tessera", password = "tessera" } },
  tables = {
    ["demo.customers"] = { shard_key = "id", method = "hash", shards = 4 },
    ["demo.orders"]    = { shard_key = "customer_id", binding = "demo.customers" },
    ["demo.countries"] = { broadcast = true },
  },
}
