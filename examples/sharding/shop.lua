-- examples/sharding/shop.lua: a shop whose tables are spread over two
-- backend groups (see docs/sharding.md). Load it with
--   tessera --sharding-config=examples/sharding/shop.lua
return {
  groups = {
    g1 = { primary = "127.0.0.1:3306", replicas = { "127.0.0.1:3307" } },
    g2 = { primary = "127.0.0.1:3316" },
  },
  default_group = "g1",            -- tables not listed here live on g1

  users = {
    { user = "app", password = "secret" },
    { user = "report", password_hash = "*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19",
      backend_user = "report_ro", backend_password = "x" },
  },

  tables = {
    -- 8 shards orders_0 .. orders_7, alternately on g1 and g2:
    -- orders of customer c are in shard c mod 8.
    ["shop.orders"] = { shard_key = "customer_id", method = "hash", shards = 8, groups = { "g1", "g2" },
                        columns = { "id", "customer_id", "total", "status", "created_at" } },
    -- bound to orders: the items of customer c are in the same shard, so
    -- joins of orders and items on customer_id run shard by shard.
    ["shop.order_items"] = { shard_key = "customer_id", binding = "shop.orders" },

    -- one shard per month: events_202401 .. events_202512.
    ["shop.events"] = { shard_key = "created_at", method = "date", unit = "month",
                        from = "2024-01", to = "2025-12", groups = { "g1", "g2" } },

    -- one shard per list of region codes.
    ["shop.regions"] = { shard_key = "region", method = "list",
                         lists = { { "eu", "uk" }, { "us", "ca", "mx" }, { "apac" } } },

    -- ids below 1000000 in accounts_0, then [1000000, 2000000), then the rest.
    ["shop.accounts"] = { shard_key = "id", method = "range", bounds = { 1000000, 2000000 },
                          shards = { { group = "g1" }, { group = "g2" }, { group = "g2", table = "accounts_big" } } },

    -- string keys hash by their utf8mb4_general_ci weights.
    ["shop.sessions"] = { shard_key = "token", method = "hash", key_type = "string", shards = 4 },

    ["shop.customers"] = { group = "g2" },       -- whole on g2
    ["shop.countries"] = { broadcast = true },   -- a copy on every group
  },
}
