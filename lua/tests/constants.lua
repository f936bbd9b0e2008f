-- proxy.* constants: MySQL Proxy 0.8's names and values.
local t = require("testlib")

function test_commands()
  local want = {
    COM_SLEEP = 0x00, COM_QUIT = 0x01, COM_INIT_DB = 0x02, COM_QUERY = 0x03, COM_FIELD_LIST = 0x04,
    COM_CREATE_DB = 0x05, COM_DROP_DB = 0x06, COM_REFRESH = 0x07, COM_SHUTDOWN = 0x08,
    COM_STATISTICS = 0x09, COM_PROCESS_INFO = 0x0a, COM_CONNECT = 0x0b, COM_PROCESS_KILL = 0x0c,
    COM_DEBUG = 0x0d, COM_PING = 0x0e, COM_TIME = 0x0f, COM_DELAYED_INSERT = 0x10,
    COM_CHANGE_USER = 0x11, COM_BINLOG_DUMP = 0x12, COM_TABLE_DUMP = 0x13, COM_CONNECT_OUT = 0x14,
    COM_REGISTER_SLAVE = 0x15, COM_STMT_PREPARE = 0x16, COM_STMT_EXECUTE = 0x17,
    COM_STMT_SEND_LONG_DATA = 0x18, COM_STMT_CLOSE = 0x19, COM_STMT_RESET = 0x1a,
    COM_SET_OPTION = 0x1b, COM_STMT_FETCH = 0x1c, COM_DAEMON = 0x1d, COM_BINLOG_DUMP_GTID = 0x1e,
    COM_RESET_CONNECTION = 0x1f,
  }
  local n = 0
  for name, value in pairs(want) do
    t.eq(proxy[name], value, "proxy." .. name)
    n = n + 1
  end
  t.eq(n, 32, "number of commands checked")
end

function test_mysql_types()
  local want = {
    MYSQL_TYPE_DECIMAL = 0, MYSQL_TYPE_TINY = 1, MYSQL_TYPE_SHORT = 2, MYSQL_TYPE_LONG = 3,
    MYSQL_TYPE_FLOAT = 4, MYSQL_TYPE_DOUBLE = 5, MYSQL_TYPE_NULL = 6, MYSQL_TYPE_TIMESTAMP = 7,
    MYSQL_TYPE_LONGLONG = 8, MYSQL_TYPE_INT24 = 9, MYSQL_TYPE_DATE = 10, MYSQL_TYPE_TIME = 11,
    MYSQL_TYPE_DATETIME = 12, MYSQL_TYPE_YEAR = 13, MYSQL_TYPE_NEWDATE = 14, MYSQL_TYPE_VARCHAR = 15,
    MYSQL_TYPE_BIT = 16, MYSQL_TYPE_NEWDECIMAL = 246, MYSQL_TYPE_ENUM = 247, MYSQL_TYPE_SET = 248,
    MYSQL_TYPE_TINY_BLOB = 249, MYSQL_TYPE_MEDIUM_BLOB = 250, MYSQL_TYPE_LONG_BLOB = 251,
    MYSQL_TYPE_BLOB = 252, MYSQL_TYPE_VAR_STRING = 253, MYSQL_TYPE_STRING = 254, MYSQL_TYPE_GEOMETRY = 255,
  }
  for name, value in pairs(want) do t.eq(proxy[name], value, "proxy." .. name) end
end

function test_packets_and_decisions()
  t.eq(proxy.MYSQLD_PACKET_OK, 0, "MYSQLD_PACKET_OK")
  t.eq(proxy.MYSQLD_PACKET_ERR, 255, "MYSQLD_PACKET_ERR")
  t.eq(proxy.MYSQLD_PACKET_RAW, 250, "MYSQLD_PACKET_RAW")
  t.eq(proxy.PROXY_SEND_QUERY, 1, "PROXY_SEND_QUERY")
  t.eq(proxy.PROXY_SEND_RESULT, 2, "PROXY_SEND_RESULT")
  t.eq(proxy.PROXY_IGNORE_RESULT, 4, "PROXY_IGNORE_RESULT")
end

function test_backend_constants()
  t.eq(proxy.BACKEND_STATE_UNKNOWN, 0, "BACKEND_STATE_UNKNOWN")
  t.eq(proxy.BACKEND_STATE_UP, 1, "BACKEND_STATE_UP")
  t.eq(proxy.BACKEND_STATE_DOWN, 2, "BACKEND_STATE_DOWN")
  t.eq(proxy.BACKEND_TYPE_UNKNOWN, 0, "BACKEND_TYPE_UNKNOWN")
  t.eq(proxy.BACKEND_TYPE_RW, 1, "BACKEND_TYPE_RW")
  t.eq(proxy.BACKEND_TYPE_RO, 2, "BACKEND_TYPE_RO")
end

function test_proxy_version()
  -- the MySQL Proxy API level tessera implements: 0.8.5
  t.eq(proxy.PROXY_VERSION, 0x000805, "PROXY_VERSION")
  t.ok(proxy.PROXY_VERSION >= 0x00501, "scripts' check for mysql-proxy >= 0.5.1")
end
