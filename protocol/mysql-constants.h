/* mysql-constants.h: numbers of the MySQL/MariaDB client/server protocol:
 * command bytes, capability flags, status flags, column types. Types only. */
#ifndef TESSERA_MYSQL_CONSTANTS_H
#define TESSERA_MYSQL_CONSTANTS_H

/* Largest payload of one frame; a payload of exactly this length continues
 * in the next frame. */
#define TSR_FRAME_MAX_PAYLOAD 0xFFFFFFu
#define TSR_FRAME_HEADER_LEN  4u

typedef enum {
  TSR_COM_SLEEP = 0x00,
  TSR_COM_QUIT = 0x01,
  TSR_COM_INIT_DB = 0x02,
  TSR_COM_QUERY = 0x03,
  TSR_COM_FIELD_LIST = 0x04,
  TSR_COM_CREATE_DB = 0x05,
  TSR_COM_DROP_DB = 0x06,
  TSR_COM_REFRESH = 0x07,
  TSR_COM_SHUTDOWN = 0x08,
  TSR_COM_STATISTICS = 0x09,
  TSR_COM_PROCESS_INFO = 0x0a,
  TSR_COM_CONNECT = 0x0b,
  TSR_COM_PROCESS_KILL = 0x0c,
  TSR_COM_DEBUG = 0x0d,
  TSR_COM_PING = 0x0e,
  TSR_COM_TIME = 0x0f,
  TSR_COM_DELAYED_INSERT = 0x10,
  TSR_COM_CHANGE_USER = 0x11,
  TSR_COM_BINLOG_DUMP = 0x12,
  TSR_COM_TABLE_DUMP = 0x13,
  TSR_COM_CONNECT_OUT = 0x14,
  TSR_COM_REGISTER_SLAVE = 0x15,
  TSR_COM_STMT_PREPARE = 0x16,
  TSR_COM_STMT_EXECUTE = 0x17,
  TSR_COM_STMT_SEND_LONG_DATA = 0x18,
  TSR_COM_STMT_CLOSE = 0x19,
  TSR_COM_STMT_RESET = 0x1a,
  TSR_COM_SET_OPTION = 0x1b,
  TSR_COM_STMT_FETCH = 0x1c,
  TSR_COM_DAEMON = 0x1d,
  TSR_COM_BINLOG_DUMP_GTID = 0x1e,
  TSR_COM_RESET_CONNECTION = 0x1f,
  TSR_COM_MAX
} TsrCommand;

/* Capability flags (HandshakeV10 / HandshakeResponse41). */
#define TSR_CLIENT_LONG_PASSWORD                  (1u << 0)
#define TSR_CLIENT_FOUND_ROWS                     (1u << 1)
#define TSR_CLIENT_LONG_FLAG                      (1u << 2)
#define TSR_CLIENT_CONNECT_WITH_DB                (1u << 3)
#define TSR_CLIENT_NO_SCHEMA                      (1u << 4)
#define TSR_CLIENT_COMPRESS                       (1u << 5)
#define TSR_CLIENT_ODBC                           (1u << 6)
#define TSR_CLIENT_LOCAL_FILES                    (1u << 7)
#define TSR_CLIENT_IGNORE_SPACE                   (1u << 8)
#define TSR_CLIENT_PROTOCOL_41                    (1u << 9)
#define TSR_CLIENT_INTERACTIVE                    (1u << 10)
#define TSR_CLIENT_SSL                            (1u << 11)
#define TSR_CLIENT_IGNORE_SIGPIPE                 (1u << 12)
#define TSR_CLIENT_TRANSACTIONS                   (1u << 13)
#define TSR_CLIENT_RESERVED                       (1u << 14)
#define TSR_CLIENT_SECURE_CONNECTION              (1u << 15)
#define TSR_CLIENT_MULTI_STATEMENTS               (1u << 16)
#define TSR_CLIENT_MULTI_RESULTS                  (1u << 17)
#define TSR_CLIENT_PS_MULTI_RESULTS               (1u << 18)
#define TSR_CLIENT_PLUGIN_AUTH                    (1u << 19)
#define TSR_CLIENT_CONNECT_ATTRS                  (1u << 20)
#define TSR_CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA (1u << 21)
#define TSR_CLIENT_CAN_HANDLE_EXPIRED_PASSWORDS   (1u << 22)
#define TSR_CLIENT_SESSION_TRACK                  (1u << 23)
#define TSR_CLIENT_DEPRECATE_EOF                  (1u << 24)
#define TSR_CLIENT_OPTIONAL_RESULTSET_METADATA    (1u << 25)
#define TSR_CLIENT_ZSTD_COMPRESSION               (1u << 26)
#define TSR_CLIENT_QUERY_ATTRIBUTES               (1u << 27)
#define TSR_CLIENT_SSL_VERIFY_SERVER_CERT         (1u << 30)
#define TSR_CLIENT_REMEMBER_OPTIONS               (1u << 31)

/* MariaDB extended capabilities: the 4 last "reserved" bytes of HandshakeV10
 * and of HandshakeResponse41, present when CLIENT_LONG_PASSWORD (MySQL bit 0)
 * is clear in the server's flags. */
#define TSR_MARIADB_CLIENT_PROGRESS               (1u << 0)
#define TSR_MARIADB_CLIENT_COM_MULTI              (1u << 1)
#define TSR_MARIADB_CLIENT_STMT_BULK_OPERATIONS   (1u << 2)
#define TSR_MARIADB_CLIENT_EXTENDED_METADATA      (1u << 3)
#define TSR_MARIADB_CLIENT_CACHE_METADATA         (1u << 4)

/* Server status flags (OK, EOF). */
#define TSR_SERVER_STATUS_IN_TRANS               0x0001u
#define TSR_SERVER_STATUS_AUTOCOMMIT             0x0002u
#define TSR_SERVER_MORE_RESULTS_EXISTS           0x0008u
#define TSR_SERVER_QUERY_NO_GOOD_INDEX_USED      0x0010u
#define TSR_SERVER_QUERY_NO_INDEX_USED           0x0020u
#define TSR_SERVER_STATUS_CURSOR_EXISTS          0x0040u
#define TSR_SERVER_STATUS_LAST_ROW_SENT          0x0080u
#define TSR_SERVER_STATUS_DB_DROPPED             0x0100u
#define TSR_SERVER_STATUS_NO_BACKSLASH_ESCAPES   0x0200u
#define TSR_SERVER_STATUS_METADATA_CHANGED       0x0400u
#define TSR_SERVER_QUERY_WAS_SLOW                0x0800u
#define TSR_SERVER_PS_OUT_PARAMS                 0x1000u
#define TSR_SERVER_STATUS_IN_TRANS_READONLY      0x2000u
#define TSR_SERVER_SESSION_STATE_CHANGED         0x4000u

/* First payload byte of the generic response packets. */
#define TSR_PACKET_OK          0x00u
#define TSR_PACKET_AUTH_MORE   0x01u
#define TSR_PACKET_LOCAL_INFILE 0xFBu
#define TSR_PACKET_EOF         0xFEu
#define TSR_PACKET_AUTH_SWITCH 0xFEu
#define TSR_PACKET_ERR         0xFFu

/* COM_STMT_EXECUTE flags. */
#define TSR_CURSOR_TYPE_NO_CURSOR  0x00u
#define TSR_CURSOR_TYPE_READ_ONLY  0x01u
#define TSR_CURSOR_TYPE_FOR_UPDATE 0x02u
#define TSR_CURSOR_TYPE_SCROLLABLE 0x04u

/* Column types. */
typedef enum {
  TSR_TYPE_DECIMAL = 0x00,
  TSR_TYPE_TINY = 0x01,
  TSR_TYPE_SHORT = 0x02,
  TSR_TYPE_LONG = 0x03,
  TSR_TYPE_FLOAT = 0x04,
  TSR_TYPE_DOUBLE = 0x05,
  TSR_TYPE_NULL = 0x06,
  TSR_TYPE_TIMESTAMP = 0x07,
  TSR_TYPE_LONGLONG = 0x08,
  TSR_TYPE_INT24 = 0x09,
  TSR_TYPE_DATE = 0x0a,
  TSR_TYPE_TIME = 0x0b,
  TSR_TYPE_DATETIME = 0x0c,
  TSR_TYPE_YEAR = 0x0d,
  TSR_TYPE_NEWDATE = 0x0e,
  TSR_TYPE_VARCHAR = 0x0f,
  TSR_TYPE_BIT = 0x10,
  TSR_TYPE_TIMESTAMP2 = 0x11,
  TSR_TYPE_DATETIME2 = 0x12,
  TSR_TYPE_TIME2 = 0x13,
  TSR_TYPE_JSON = 0xf5,
  TSR_TYPE_NEWDECIMAL = 0xf6,
  TSR_TYPE_ENUM = 0xf7,
  TSR_TYPE_SET = 0xf8,
  TSR_TYPE_TINY_BLOB = 0xf9,
  TSR_TYPE_MEDIUM_BLOB = 0xfa,
  TSR_TYPE_LONG_BLOB = 0xfb,
  TSR_TYPE_BLOB = 0xfc,
  TSR_TYPE_VAR_STRING = 0xfd,
  TSR_TYPE_STRING = 0xfe,
  TSR_TYPE_GEOMETRY = 0xff,
} TsrColumnType;

/* Column definition flags. */
#define TSR_FIELD_NOT_NULL      0x0001u
#define TSR_FIELD_PRI_KEY       0x0002u
#define TSR_FIELD_UNIQUE_KEY    0x0004u
#define TSR_FIELD_MULTIPLE_KEY  0x0008u
#define TSR_FIELD_BLOB          0x0010u
#define TSR_FIELD_UNSIGNED      0x0020u
#define TSR_FIELD_ZEROFILL      0x0040u
#define TSR_FIELD_BINARY        0x0080u
#define TSR_FIELD_ENUM          0x0100u
#define TSR_FIELD_AUTO_INCREMENT 0x0200u
#define TSR_FIELD_TIMESTAMP     0x0400u
#define TSR_FIELD_SET           0x0800u
#define TSR_FIELD_NUM           0x8000u

/* Character set used in packets tessera writes itself: utf8mb4_general_ci. */
#define TSR_CHARSET_UTF8MB4_GENERAL_CI 45u
#define TSR_CHARSET_BINARY 63u

#endif
