#!/usr/bin/env python3
"""Raw MySQL protocol client that captures MariaDB traffic byte for byte.

Recipe (as root; a throwaway server on loopback):
  mariadb-install-db --no-defaults --datadir=/tmp/tsrdb/data --auth-root-authentication-method=normal --user=root
  mariadbd --no-defaults --datadir=/tmp/tsrdb/data --port=33961 --bind-address=127.0.0.1 \
      --socket=/tmp/tsrdb/s.sock --user=root &
  mariadb -uroot -S /tmp/tsrdb/s.sock < schema.sql
  capture-client.py raw.jsonl            # the sessions below
  relay.py 33962 33961 cli.jsonl &       # then run `mariadb` / sysbench against port 33962
  gen-vectors.py ../captured-vectors.c ../../fuzz/corpus raw.jsonl cli.jsonl
Writes one JSON line per frame: label (session), note (the command), dir, seq, payload (hex), len.
"""
import hashlib, json, socket, struct, sys

LOG = open(sys.argv[1] if len(sys.argv) > 1 else 'raw.jsonl', 'w')
PORT = 33961

def sha1(b): return hashlib.sha1(b).digest()
def native(password, scramble):
    if not password: return b''
    s1 = sha1(password); s2 = sha1(s1); s3 = sha1(scramble + s2)
    return bytes(a ^ b for a, b in zip(s1, s3))
def lenenc(n):
    if n < 251: return bytes([n])
    if n < 1 << 16: return b'\xfc' + struct.pack('<H', n)
    if n < 1 << 24: return b'\xfd' + struct.pack('<I', n)[:3]
    return b'\xfe' + struct.pack('<Q', n)

class Conn:
    def __init__(self, label, caps, mcaps=0x1d, user=b'tsr', password=b'secret', db=b'tdb', attrs=True):
        self.label = label; self.sock = socket.create_connection(('127.0.0.1', PORT)); self.buf = b''
        self.sock.settimeout(0.4)
        hs = self.read()
        self.scramble = hs[hs.index(b'\0', 1) + 5: hs.index(b'\0', 1) + 13]
        p = hs.index(b'\0', 1) + 1 + 4 + 8 + 1 + 2 + 1 + 2 + 2 + 1 + 10
        self.scramble += hs[p:p + 12]
        auth = native(password, self.scramble)
        body = struct.pack('<IIB', caps, 16777216, 45) + b'\0' * 19 + struct.pack('<I', mcaps)
        body += user + b'\0' + lenenc(len(auth)) + auth
        if caps & 8: body += db + b'\0'
        body += b'mysql_native_password\0'
        if attrs:
            kv = b''.join(lenenc(len(x)) + x for x in (b'_client_name', b'tsr-capture', b'_pid', b'42'))
            body += lenenc(len(kv)) + kv
        self.send(body, 1, 'handshake response')
        self.drain('auth result')

    def log(self, d, seq, payload, note):
        LOG.write(json.dumps({'label': self.label, 'note': note, 'dir': d, 'seq': seq, 'payload': payload.hex()}) + '\n')
    def send(self, payload, seq=0, note=''):
        self.sock.sendall(struct.pack('<I', len(payload))[:3] + bytes([seq]) + payload)
        self.log('c2s', seq, payload, note)
    def read(self, note=''):
        while True:
            if len(self.buf) >= 4:
                n = int.from_bytes(self.buf[:3], 'little')
                if len(self.buf) >= 4 + n:
                    seq = self.buf[3]; p = self.buf[4:4 + n]; self.buf = self.buf[4 + n:]
                    self.log('s2c', seq, p, note); self.last_seq = seq
                    return p
            d = self.sock.recv(65536)
            if not d: raise EOFError
            self.buf += d
    def drain(self, note=''):
        out = []
        while True:
            try: out.append(self.read(note))
            except (socket.timeout, EOFError): return out
    def cmd(self, payload, note, infile=None):
        self.send(payload, 0, note)
        res = []
        while True:
            try: p = self.read(note)
            except socket.timeout: return res
            res.append(p)
            if p[:1] == b'\xfb' and infile is not None and len(res) == 1:
                seq = self.last_seq + 1
                self.send(infile, seq, note); self.send(b'', seq + 1, note)

CAPS = 0x00bfa28c  # what libmariadb sent in the capture
DEP = 1 << 24
caps_classic = CAPS
caps_dep = CAPS | DEP

def stmt_id(prep): return struct.unpack('<I', prep[0][1:5])[0]
def execute(c, sid, note, params=(), flags=0, bound=True):
    """params: list of (type, unsigned, value_bytes or None)"""
    p = b'\x17' + struct.pack('<IBI', sid, flags, 1)
    if params:
        nb = bytearray((len(params) + 7) // 8)
        for i, (t, u, v) in enumerate(params):
            if v is None: nb[i // 8] |= 1 << (i % 8)
        p += bytes(nb) + (b'\x01' if bound else b'\x00')
        if bound:
            for t, u, v in params: p += bytes([t, 0x80 if u else 0])
        for t, u, v in params:
            if v is not None: p += v
    return c.cmd(p, note)


def change_user_sessions():
    for mode, caps in (('change user classic', CAPS), ('change user deprecate_eof', CAPS | DEP)):
        c = Conn(mode, caps)
        c.sock.settimeout(1)
        kv = b''.join(lenenc(len(x)) + x for x in (b'_client_name', b'tsr-capture'))
        cu = (b'\x11tsr\0' + bytes([20]) + native(b'secret', c.scramble) + b'tdb\0' + struct.pack('<H', 45) +
              b'mysql_native_password\0' + lenenc(len(kv)) + kv)
        sw = c.cmd(cu, 'change user')[0]
        c.send(native(b'secret', sw[sw.index(b'\0') + 1:-1]), c.last_seq + 1, 'auth switch response')
        c.drain('change user result')
        c.send(b'\x01', 0, 'quit')


def big_sessions():
    for mode, caps in (('big classic', CAPS), ('big deprecate_eof', CAPS | DEP)):
        c = Conn(mode, caps)
        c.sock.settimeout(2)
        c.cmd(b"\x03SELECT REPEAT('x', 16777215 + 10) AS big, 1 AS one; "
              b"SELECT REPEAT('y', 16777215 - 9 - 1) AS exact", 'big rows')
        c.send(b'\x01', 0, 'quit')

def main():
    for mode, caps in (('classic', caps_classic), ('deprecate_eof', caps_dep)):
        c = Conn(mode, caps)
        c.cmd(b'\x03SELECT * FROM t ORDER BY id', 'text resultset all types')
        c.cmd(b'\x03CALL multi()', 'multi-result call')
        c.cmd(b"\x03LOAD DATA LOCAL INFILE 'x.tsv' INTO TABLE li", 'local infile', infile=b'5\tfive\n6\tsix\n')
        c.cmd(b"\x03UPDATE li SET b='x' WHERE a > 100", 'update ok with info')
        c.cmd(b'\x03USE tdb', 'use: session state')
        c.cmd(b'\x03SELECT 1 FROM nosuchtable', 'err 1146')
        c.cmd(b'\x03SELECT 1; SELECT 2', 'multi statements')
        c.cmd(b'\x04t\0', 'field list')
        c.cmd(b'\x04nosuch\0', 'field list err')
        prep = c.cmd(b'\x16SELECT * FROM t WHERE id > ? ORDER BY id', 'prepare select 1 param 20 cols')
        sid = stmt_id(prep)
        execute(c, sid, 'execute binary resultset', [(0x03, False, struct.pack('<i', 0))])
        execute(c, sid, 'execute cursor', [(0x03, False, struct.pack('<i', 1))], flags=1)
        c.cmd(b'\x1c' + struct.pack('<II', sid, 2), 'fetch 2 rows')
        c.cmd(b'\x1c' + struct.pack('<II', sid, 5), 'fetch rest')
        c.send(b'\x19' + struct.pack('<I', sid), 0, 'stmt close')
        prep = c.cmd(b'\x16INSERT INTO li VALUES (?, ?)', 'prepare insert 2 params')
        sid = stmt_id(prep)
        execute(c, sid, 'execute insert with null', [(0x08, True, struct.pack('<Q', 7)), (0xfd, False, None)])
        execute(c, sid, 'execute insert rebound', [(0x03, False, struct.pack('<i', 8)), (0xfe, False, lenenc(3) + b'abc')])
        execute(c, sid, 'execute insert not rebound', [(0x03, False, struct.pack('<i', 9)), (0xfe, False, lenenc(4) + b'wxyz')], bound=False)
        c.send(b'\x18' + struct.pack('<IH', sid, 1) + b'long data', 0, 'send long data')
        c.cmd(b'\x1a' + struct.pack('<I', sid), 'stmt reset')
        c.send(b'\x19' + struct.pack('<I', sid), 0, 'stmt close')
        prep = c.cmd(b'\x16SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?', 'prepare typed params')
        sid = stmt_id(prep)
        execute(c, sid, 'execute typed params', [
            (0x01, False, b'\xfe'), (0x02, True, struct.pack('<H', 65535)), (0x03, False, struct.pack('<i', -5)),
            (0x08, False, struct.pack('<q', -1234567890123)), (0x04, False, struct.pack('<f', 0.5)),
            (0x05, False, struct.pack('<d', 3.25)),
            (0x0a, False, b'\x04' + struct.pack('<HBB', 2024, 2, 29)),
            (0x0c, False, b'\x0b' + struct.pack('<HBBBBBI', 2024, 2, 29, 13, 45, 1, 123456)),
            (0x0b, False, b'\x0c' + struct.pack('<BIBBBI', 1, 1, 2, 3, 4, 500000)),
            (0xfd, False, lenenc(5) + b'hello'), (0xf6, False, lenenc(6) + b'-12.50')])
        c.send(b'\x19' + struct.pack('<I', sid), 0, 'stmt close')
        prep = c.cmd(b'\x16CALL outp(?, ?, ?)', 'prepare call out params')
        sid = stmt_id(prep)
        execute(c, sid, 'execute call out params', [(0x03, False, struct.pack('<i', 21)), (0x06, False, None), (0xfd, False, lenenc(2) + b'hi')])
        c.cmd(b'\x16SELEC nonsense ?', 'prepare err')
        c.cmd(b'\x0e', 'ping')
        c.cmd(b'\x09', 'statistics')
        c.cmd(b'\x1b\x01\x00', 'set option multi statements off')
        c.cmd(b'\x1f', 'reset connection')
        c.send(b'\x01', 0, 'quit')

    # wrong password, libmariadb-like caps
    Conn('wrong password', caps_classic, password=b'nope')
    # connection without db and without attrs, no plugin-auth lenenc
    c = Conn('no db no attrs', CAPS & ~(8 | (1 << 20) | (1 << 21)), attrs=False, db=b'')
    c.send(b'\x01', 0, 'quit')

    change_user_sessions()
    big_sessions()


if __name__ == '__main__':
    main()
