"""A small MySQL protocol client on a plain socket, for what the client libraries hide.

It speaks just enough of the protocol for the tests: the handshake with
mysql_native_password (and an auth switch to it), COM_QUERY with text result
sets (also streamed row by row), the COM_STMT_* family with binary result sets
and cursors, and raw frames for sending malformed packets on purpose.
"""

import hashlib
import socket
import struct

# Capability flags.
CLIENT_LONG_PASSWORD = 0x1
CLIENT_FOUND_ROWS = 0x2
CLIENT_LONG_FLAG = 0x4
CLIENT_CONNECT_WITH_DB = 0x8
CLIENT_LOCAL_FILES = 0x80
CLIENT_PROTOCOL_41 = 0x200
CLIENT_TRANSACTIONS = 0x2000
CLIENT_SECURE_CONNECTION = 0x8000
CLIENT_MULTI_STATEMENTS = 0x10000
CLIENT_MULTI_RESULTS = 0x20000
CLIENT_PS_MULTI_RESULTS = 0x40000
CLIENT_PLUGIN_AUTH = 0x80000
CLIENT_SSL = 0x800
CLIENT_COMPRESS = 0x20
CLIENT_DEPRECATE_EOF = 0x1000000

DEFAULT_CAPABILITIES = (CLIENT_LONG_PASSWORD | CLIENT_FOUND_ROWS | CLIENT_LONG_FLAG
                        | CLIENT_PROTOCOL_41 | CLIENT_TRANSACTIONS | CLIENT_SECURE_CONNECTION
                        | CLIENT_MULTI_STATEMENTS | CLIENT_MULTI_RESULTS
                        | CLIENT_PS_MULTI_RESULTS | CLIENT_PLUGIN_AUTH)

# Commands.
COM_QUIT = 0x01
COM_INIT_DB = 0x02
COM_QUERY = 0x03
COM_PING = 0x0e
COM_STMT_PREPARE = 0x16
COM_STMT_EXECUTE = 0x17
COM_STMT_SEND_LONG_DATA = 0x18
COM_STMT_CLOSE = 0x19
COM_STMT_RESET = 0x1a
COM_STMT_FETCH = 0x1c

SERVER_MORE_RESULTS_EXISTS = 0x8
SERVER_STATUS_CURSOR_EXISTS = 0x40
SERVER_STATUS_LAST_ROW_SENT = 0x80

CURSOR_TYPE_NO_CURSOR = 0
CURSOR_TYPE_READ_ONLY = 1

# Column types used by the binary protocol decoder.
TYPE_TINY, TYPE_SHORT, TYPE_LONG, TYPE_FLOAT, TYPE_DOUBLE = 0x01, 0x02, 0x03, 0x04, 0x05
TYPE_NULL, TYPE_LONGLONG, TYPE_INT24, TYPE_YEAR = 0x06, 0x08, 0x09, 0x0d
TYPE_VAR_STRING, TYPE_STRING, TYPE_VARCHAR, TYPE_BLOB = 0xfd, 0xfe, 0x0f, 0xfc
TYPE_NEWDECIMAL = 0xf6

MAX_FRAME = 0xffffff


class ServerError(Exception):
    """An ERR packet: code, SQLSTATE and message."""

    def __init__(self, code, sqlstate, message):
        super().__init__("%d (%s): %s" % (code, sqlstate, message))
        self.code = code
        self.sqlstate = sqlstate
        self.message = message


class ProtocolError(Exception):
    """The peer sent something this client cannot make sense of, or closed."""


def parse_err(payload):
    code = struct.unpack_from("<H", payload, 1)[0]
    if payload[3:4] == b"#":
        return ServerError(code, payload[4:9].decode(), payload[9:].decode(errors="replace"))
    return ServerError(code, "", payload[3:].decode(errors="replace"))


def native_password_scramble(password, salt):
    """mysql_native_password: SHA1(pw) XOR SHA1(salt + SHA1(SHA1(pw)))."""
    if not password:
        return b""
    stage1 = hashlib.sha1(password.encode()).digest()
    stage2 = hashlib.sha1(stage1).digest()
    mask = hashlib.sha1(salt + stage2).digest()
    return bytes(a ^ b for a, b in zip(stage1, mask))


def frame(payload, seq):
    """One frame on the wire: 3-byte length, sequence id, payload."""
    return struct.pack("<I", len(payload))[:3] + bytes([seq]) + payload


def lenenc_int(value):
    if value < 251:
        return bytes([value])
    if value < 1 << 16:
        return b"\xfc" + struct.pack("<H", value)
    if value < 1 << 24:
        return b"\xfd" + struct.pack("<I", value)[:3]
    return b"\xfe" + struct.pack("<Q", value)


def lenenc_str(data):
    return lenenc_int(len(data)) + data


class Reader:
    """Reads the fields of one packet payload in order."""

    def __init__(self, payload, pos=0):
        self.payload = payload
        self.pos = pos

    def fixed(self, size):
        value = int.from_bytes(self.payload[self.pos:self.pos + size], "little")
        self.pos += size
        return value

    def bytes(self, size):
        value = self.payload[self.pos:self.pos + size]
        self.pos += size
        return value

    def lenenc(self):
        first = self.payload[self.pos]
        self.pos += 1
        if first < 251:
            return first
        if first == 0xfb:
            return None
        size = {0xfc: 2, 0xfd: 3, 0xfe: 8}[first]
        return self.fixed(size)

    def lenenc_bytes(self):
        size = self.lenenc()
        return None if size is None else self.bytes(size)

    def null_terminated(self):
        end = self.payload.index(b"\0", self.pos)
        value = self.payload[self.pos:end]
        self.pos = end + 1
        return value

    def rest(self):
        value = self.payload[self.pos:]
        self.pos = len(self.payload)
        return value


class Handshake:
    """The server's initial handshake (protocol version 10)."""

    def __init__(self, payload):
        if payload[0] == 0xff:
            raise parse_err(payload)
        r = Reader(payload)
        self.protocol_version = r.fixed(1)
        self.server_version = r.null_terminated().decode()
        self.connection_id = r.fixed(4)
        salt = r.bytes(8)
        r.fixed(1)
        capabilities = r.fixed(2)
        self.charset = r.fixed(1)
        self.status = r.fixed(2)
        capabilities |= r.fixed(2) << 16
        self.capabilities = capabilities
        salt_len = r.fixed(1)
        r.bytes(10)
        if capabilities & CLIENT_SECURE_CONNECTION:
            salt += r.bytes(max(13, salt_len - 8))[:-1]
        self.salt = salt
        self.auth_plugin = r.null_terminated().decode() if capabilities & CLIENT_PLUGIN_AUTH else ""


class Column:
    """A column definition (Protocol::ColumnDefinition41)."""

    def __init__(self, payload):
        r = Reader(payload)
        for _ in range(4):  # catalog, schema, table, org_table
            r.lenenc_bytes()
        self.name = r.lenenc_bytes().decode()
        r.lenenc_bytes()  # org_name
        r.lenenc()
        self.charset = r.fixed(2)
        self.length = r.fixed(4)
        self.type = r.fixed(1)
        self.flags = r.fixed(2)
        self.decimals = r.fixed(1)


class Result:
    """One result of a command: an OK (columns None) or a result set."""

    def __init__(self, columns=None, rows=None, affected_rows=0, insert_id=0, status=0,
                 warnings=0, info=b""):
        self.columns = columns
        self.rows = rows
        self.affected_rows = affected_rows
        self.insert_id = insert_id
        self.status = status
        self.warnings = warnings
        self.info = info


class Statement:
    """A prepared statement as COM_STMT_PREPARE described it."""

    def __init__(self, stmt_id, params, columns):
        self.id = stmt_id
        self.params = params
        self.columns = columns


class Connection:
    """A raw MySQL protocol connection."""

    def __init__(self, host, port, timeout=30.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.seq = 0
        self._buffer = bytearray()
        self.handshake = None
        self.last_eof_status = 0
        self.capabilities = 0

    # --- framing ------------------------------------------------------

    def recv_some(self, size):
        """Read what the socket has, up to size bytes (a test may slow this down)."""
        return self.sock.recv(size)

    def recv_exact(self, size):
        while len(self._buffer) < size:
            chunk = self.recv_some(max(65536, size - len(self._buffer)))
            if not chunk:
                raise ProtocolError("connection closed by peer")
            self._buffer += chunk
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data

    def read_frame(self):
        header = self.recv_exact(4)
        size = int.from_bytes(header[:3], "little")
        self.seq = (header[3] + 1) & 0xff
        return self.recv_exact(size)

    def read_packet(self):
        """One logical packet: frames of 0xffffff bytes are joined with what follows."""
        payload = self.read_frame()
        if len(payload) < MAX_FRAME:
            return payload
        parts = [payload]
        while len(parts[-1]) == MAX_FRAME:
            parts.append(self.read_frame())
        return b"".join(parts)

    def write_frame(self, payload, seq=None):
        """Send one frame as given, even an ill-formed one."""
        if seq is None:
            seq = self.seq
        self.sock.sendall(frame(payload, seq))
        self.seq = (seq + 1) & 0xff

    def write_packet(self, payload):
        """Send a logical packet, split into frames as the protocol wants."""
        pos = 0
        while True:
            chunk = payload[pos:pos + MAX_FRAME]
            self.write_frame(chunk)
            pos += MAX_FRAME
            if len(chunk) < MAX_FRAME:
                return

    def send_raw(self, data):
        self.sock.sendall(data)

    def close(self):
        self.sock.close()

    # --- login --------------------------------------------------------

    def read_handshake(self):
        self.handshake = Handshake(self.read_packet())
        return self.handshake

    def login(self, user, password, database=None, capabilities=DEFAULT_CAPABILITIES,
              force_capabilities=0):
        """Read the greeting and log in; raises ServerError on an ERR packet.

        capabilities are offered as far as the server has them; force_capabilities
        are claimed even if the server did not offer them (a misbehaving client)."""
        handshake = self.read_handshake()
        if database:
            capabilities |= CLIENT_CONNECT_WITH_DB
        capabilities &= handshake.capabilities | CLIENT_CONNECT_WITH_DB
        capabilities |= force_capabilities
        self.capabilities = capabilities
        auth = native_password_scramble(password, handshake.salt)
        body = struct.pack("<IIB23x", capabilities, 1 << 24, 45)
        body += user.encode() + b"\0" + lenenc_str(auth)
        if database:
            body += database.encode() + b"\0"
        body += b"mysql_native_password\0"
        self.write_packet(body)
        self.read_auth_result(password)
        return self

    def read_auth_result(self, password):
        while True:
            payload = self.read_packet()
            if payload[0] == 0x00:
                return
            if payload[0] == 0xff:
                raise parse_err(payload)
            if payload[0] == 0xfe:
                self.answer_auth_switch(payload, password)
                continue
            raise ProtocolError("unexpected packet during auth: %r" % payload[:16])

    def answer_auth_switch(self, payload, password):
        r = Reader(payload, 1)
        plugin = r.null_terminated().decode()
        if plugin != "mysql_native_password":
            raise ProtocolError("auth switch to unsupported plugin %s" % plugin)
        salt = r.rest().rstrip(b"\0")
        self.write_packet(native_password_scramble(password, salt))

    # --- commands -----------------------------------------------------

    def command(self, code, body=b""):
        self.seq = 0
        self.write_packet(bytes([code]) + body)

    def read_ok_or_err(self):
        payload = self.read_packet()
        if payload[0] == 0xff:
            raise parse_err(payload)
        if payload[0] != 0x00:
            raise ProtocolError("expected OK, got %r" % payload[:16])
        return self._parse_ok(payload)

    @staticmethod
    def _parse_ok(payload):
        r = Reader(payload, 1)
        affected = r.lenenc()
        insert_id = r.lenenc()
        status = r.fixed(2)
        warnings = r.fixed(2)
        return Result(affected_rows=affected, insert_id=insert_id, status=status,
                      warnings=warnings, info=r.rest())

    def ping(self):
        self.command(COM_PING)
        return self.read_ok_or_err()

    def query(self, sql):
        """Run sql; returns the list of its results (several for multi-statements)."""
        self.command(COM_QUERY, sql.encode() if isinstance(sql, str) else sql)
        return self.read_results(self.read_text_row)

    def read_results(self, row_decoder):
        results = []
        while True:
            result = self.read_one_result(row_decoder)
            results.append(result)
            if not result.status & SERVER_MORE_RESULTS_EXISTS:
                return results

    def read_one_result(self, row_decoder):
        payload = self.read_packet()
        if payload[0] == 0xff:
            raise parse_err(payload)
        if payload[0] == 0x00:
            return self._parse_ok(payload)
        if payload[0] == 0xfb:
            raise ProtocolError("LOCAL INFILE request not handled by this client")
        columns = self.read_columns(Reader(payload).lenenc())
        if self.last_eof_status & SERVER_STATUS_CURSOR_EXISTS:
            return Result(columns=columns, rows=[], status=self.last_eof_status)
        rows = list(self.iter_rows(columns, row_decoder))
        return Result(columns=columns, rows=rows, status=self.last_eof_status)

    @property
    def deprecate_eof(self):
        """True when result sets end with an OK packet instead of EOF packets."""
        return bool(self.capabilities & CLIENT_DEPRECATE_EOF)

    def read_columns(self, count):
        columns = [Column(self.read_packet()) for _ in range(count)]
        if self.deprecate_eof:
            self.last_eof_status = 0
        else:
            self.read_eof()
        return columns

    def is_terminator(self, payload):
        """The EOF (or, with CLIENT_DEPRECATE_EOF, the OK) that ends the rows."""
        if payload[0] != 0xfe:
            return False
        return len(payload) < MAX_FRAME if self.deprecate_eof else len(payload) < 9

    def read_eof(self):
        payload = self.read_packet()
        if payload[0] == 0xff:
            raise parse_err(payload)
        if payload[0] != 0xfe or len(payload) >= 9:
            raise ProtocolError("expected EOF, got %r" % payload[:16])
        self.last_eof_status = struct.unpack_from("<H", payload, 3)[0]
        return self.last_eof_status

    def iter_rows(self, columns, row_decoder):
        """Yield decoded rows until the EOF packet (whose status lands in last_eof_status)."""
        while True:
            payload = self.read_packet()
            if self.is_terminator(payload):
                self.last_eof_status = self.terminator_status(payload)
                return
            if payload[0] == 0xff:
                raise parse_err(payload)
            yield row_decoder(payload, columns)

    def terminator_status(self, payload):
        if self.deprecate_eof:
            return self._parse_ok(payload).status
        return struct.unpack_from("<H", payload, 3)[0]

    @staticmethod
    def read_text_row(payload, columns):
        r = Reader(payload)
        return tuple(r.lenenc_bytes() for _ in columns)

    def query_stream(self, sql):
        """Send sql and yield its text rows one by one, reading only as they are consumed."""
        self.command(COM_QUERY, sql.encode())
        payload = self.read_packet()
        if payload[0] == 0xff:
            raise parse_err(payload)
        columns = self.read_columns(Reader(payload).lenenc())
        yield from self.iter_rows(columns, self.read_text_row)

    # --- prepared statements -----------------------------------------

    def stmt_prepare(self, sql):
        self.command(COM_STMT_PREPARE, sql.encode())
        payload = self.read_packet()
        if payload[0] == 0xff:
            raise parse_err(payload)
        r = Reader(payload, 1)
        stmt_id = r.fixed(4)
        num_columns = r.fixed(2)
        num_params = r.fixed(2)
        params = self.read_columns(num_params) if num_params else []
        columns = self.read_columns(num_columns) if num_columns else []
        return Statement(stmt_id, params, columns)

    def stmt_execute(self, stmt, values=(), cursor=CURSOR_TYPE_NO_CURSOR, long_data_params=()):
        """Execute with values bound (int, str, bytes or None); returns the first result.

        Parameters listed in long_data_params were sent with stmt_send_long_data and
        are bound as strings without a value here."""
        body = struct.pack("<IBI", stmt.id, cursor, 1)
        if values:
            body += self._bind(values, long_data_params)
        self.command(COM_STMT_EXECUTE, body)
        return self.read_one_result(self.read_binary_row)

    @staticmethod
    def _bind(values, long_data_params):
        null_bitmap = bytearray((len(values) + 7) // 8)
        types = b""
        data = b""
        for i, value in enumerate(values):
            if i in long_data_params:
                types += bytes([TYPE_BLOB, 0])
            elif value is None:
                null_bitmap[i // 8] |= 1 << (i % 8)
                types += bytes([TYPE_NULL, 0])
            elif isinstance(value, int):
                types += bytes([TYPE_LONGLONG, 0])
                data += struct.pack("<q", value)
            else:
                raw = value.encode() if isinstance(value, str) else value
                types += bytes([TYPE_VAR_STRING, 0])
                data += lenenc_str(raw)
        return bytes(null_bitmap) + b"\x01" + types + data

    def stmt_send_long_data(self, stmt, param, data):
        """COM_STMT_SEND_LONG_DATA: the server sends no answer."""
        self.command(COM_STMT_SEND_LONG_DATA, struct.pack("<IH", stmt.id, param) + data)

    def stmt_fetch(self, stmt, count):
        """COM_STMT_FETCH: up to count rows from an open cursor, and the EOF status."""
        self.command(COM_STMT_FETCH, struct.pack("<II", stmt.id, count))
        rows = list(self.iter_rows(stmt.columns, self.read_binary_row))
        return rows, self.last_eof_status

    def stmt_reset(self, stmt):
        self.command(COM_STMT_RESET, struct.pack("<I", stmt.id))
        return self.read_ok_or_err()

    def stmt_close(self, stmt):
        """COM_STMT_CLOSE: the server sends no answer."""
        self.command(COM_STMT_CLOSE, struct.pack("<I", stmt.id))

    @staticmethod
    def read_binary_row(payload, columns, decode=None):
        """A binary-protocol row; decode(reader, column) reads each non-NULL value
        (decode_binary_value by default)."""
        decode = decode or decode_binary_value
        if payload[0] != 0x00:
            raise ProtocolError("binary row must start with 0x00, got %r" % payload[:16])
        bitmap_len = (len(columns) + 7 + 2) // 8
        bitmap = payload[1:1 + bitmap_len]
        r = Reader(payload, 1 + bitmap_len)
        row = []
        for i, column in enumerate(columns):
            bit = i + 2
            if bitmap[bit // 8] & (1 << (bit % 8)):
                row.append(None)
            else:
                row.append(decode(r, column))
        return tuple(row)


def decode_binary_value(r, column):
    unsigned = column.flags & 0x20
    sizes = {TYPE_TINY: 1, TYPE_SHORT: 2, TYPE_YEAR: 2, TYPE_LONG: 4, TYPE_INT24: 4,
             TYPE_LONGLONG: 8}
    if column.type in sizes:
        size = sizes[column.type]
        return int.from_bytes(r.bytes(size), "little", signed=not unsigned)
    if column.type == TYPE_DOUBLE:
        return struct.unpack("<d", r.bytes(8))[0]
    if column.type == TYPE_FLOAT:
        return struct.unpack("<f", r.bytes(4))[0]
    if column.type in (TYPE_VAR_STRING, TYPE_STRING, TYPE_VARCHAR, TYPE_BLOB, TYPE_NEWDECIMAL):
        return r.lenenc_bytes()
    raise ProtocolError("binary decoding of column type %d is not implemented" % column.type)


def connect(host, port, user, password, database=None, timeout=30.0):
    """Open a raw connection and log in."""
    conn = Connection(host, port, timeout)
    try:
        return conn.login(user, password, database)
    except Exception:
        conn.close()
        raise
