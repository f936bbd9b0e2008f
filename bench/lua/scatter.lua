-- scatter.lua: a sysbench script (not a tessera script) for bench/run's "sharding"
-- sub-benchmark. Each event is one aggregate over a range of k, the secondary index of
-- sysbench's sbtest1: without the shard key, through the sharding plugin it goes to every
-- shard and tessera merges the answers. A prepared statement: with --db-ps-mode=auto it is
-- a server-side COM_STMT_EXECUTE, with --db-ps-mode=disable a text COM_QUERY.
--
--   sysbench bench/lua/scatter.lua --mysql-... --table-size=10000 --range-size=100 run

sysbench.cmdline.options = {
   table_size = {"Rows in sbtest1", 10000},
   range_size = {"Width of the range of k each query reads", 100},
}

local QUERY = "SELECT COUNT(*), SUM(k), AVG(k) FROM sbtest1 WHERE k BETWEEN ? AND ?"

function thread_init()
   drv = sysbench.sql.driver()
   con = drv:connect()
   stmt = con:prepare(QUERY)
   params = { stmt:bind_create(sysbench.sql.type.INT), stmt:bind_create(sysbench.sql.type.INT) }
   stmt:bind_param(unpack(params))
end

function event()
   local width = sysbench.opt.range_size
   local low = sysbench.rand.uniform(1, math.max(1, sysbench.opt.table_size - width + 1))
   params[1]:set(low)
   params[2]:set(low + width - 1)
   stmt:execute()
end

function thread_done()
   stmt:close()
   con:disconnect()
end
