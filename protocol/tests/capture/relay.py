#!/usr/bin/env python3
"""Logging TCP relay: client <-> relay <-> MariaDB, writes every MySQL frame as JSON lines.

Usage: relay.py LISTEN_PORT SERVER_PORT LOG.jsonl [LABEL1,LABEL2,...]
Connection n is logged with label LABELn (default "relay-n"). Frames are
forwarded whole, after they are logged, so the log keeps their causal order."""
import json, socket, sys, threading
listen_port, server_port, logfile = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
labels = sys.argv[4].split(',') if len(sys.argv) > 4 else []
lock = threading.Lock()
out = open(logfile, 'a')
conn_no = [0]

def pump(src, dst, cid, direction):
    buf = b''
    while True:
        try:
            d = src.recv(65536)
        except OSError:
            d = b''
        if not d:
            try: dst.shutdown(socket.SHUT_WR)
            except OSError: pass
            return
        buf += d
        while len(buf) >= 4:
            n = buf[0] | buf[1] << 8 | buf[2] << 16
            if len(buf) < 4 + n: break
            with lock:
                label = labels[cid - 1] if cid <= len(labels) else f'relay-{cid}'
                out.write(json.dumps({'label': label, 'conn': cid, 'dir': direction, 'seq': buf[3], 'len': n,
                                      'payload': buf[4:4 + n].hex() if n < 4096 else buf[4:4 + 4096].hex(),
                                      'truncated': n >= 4096}) + '\n')
                out.flush()
            dst.sendall(buf[:4 + n])
            buf = buf[4 + n:]

ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(('127.0.0.1', listen_port)); ls.listen(16)
while True:
    c, _ = ls.accept()
    s = socket.create_connection(('127.0.0.1', server_port))
    conn_no[0] += 1
    for a, b, d in ((c, s, 'c2s'), (s, c, 's2c')):
        threading.Thread(target=pump, args=(a, b, conn_no[0], d), daemon=True).start()
