#!/usr/bin/env python3
"""Turns capture logs (JSON lines written by capture-client.py and relay.py)
into protocol/tests/captured-vectors.c and seeds protocol/fuzz/corpus/.

Each log line: {"label": session, "note": what, "dir": "c2s"|"s2c", "seq": n,
"payload": hex, "len": n (optional; the payload may hold only the frame's head)}.

Usage: gen-vectors.py OUT.c CORPUS_DIR LOG.jsonl...
"""
import hashlib, json, os, re, sys

HEAD_ONLY = 24  # bytes kept of frames larger than 4096 bytes

COMMAND_NAMES = {0x01: 'COM_QUIT', 0x02: 'COM_INIT_DB', 0x03: 'COM_QUERY', 0x04: 'COM_FIELD_LIST',
                 0x09: 'COM_STATISTICS', 0x0e: 'COM_PING', 0x11: 'COM_CHANGE_USER', 0x16: 'COM_STMT_PREPARE',
                 0x17: 'COM_STMT_EXECUTE', 0x18: 'COM_STMT_SEND_LONG_DATA', 0x19: 'COM_STMT_CLOSE',
                 0x1a: 'COM_STMT_RESET', 0x1b: 'COM_SET_OPTION', 0x1c: 'COM_STMT_FETCH',
                 0x1f: 'COM_RESET_CONNECTION'}


def slug(text):
    return re.sub(r'[^a-z0-9]+', '-', text.lower()).strip('-')


def load(paths):
    sessions = {}
    for path in paths:
        for line in open(path):
            j = json.loads(line)
            data = bytes.fromhex(j['payload'])
            frame = {'dir': j['dir'], 'seq': j['seq'], 'len': j.get('len', len(data)), 'data': data,
                     'note': j.get('note', '')}
            sessions.setdefault(j['label'], []).append(frame)
    return sessions


def command_note(payload):
    name = COMMAND_NAMES.get(payload[0], 'command') if payload else 'command'
    if payload and payload[0] == 0x03:
        return slug(' '.join(payload[1:].decode('utf-8', 'replace').split()[:4]))
    return slug(name)


def unique(name, taken):
    n, candidate = 2, name
    while candidate in taken:
        candidate, n = f'{name}-{n}', n + 1
    taken.add(candidate)
    return candidate


def split_exchanges(label, frames):
    """Login first, then one exchange per client frame with sequence id 0."""
    exchanges, cur, name, taken = [], [], f'{slug(label)}/login', set()
    for f in frames:
        if f['dir'] == 'c2s' and f['seq'] == 0:
            if cur: exchanges.append((unique(name, taken), cur))
            cur = []
            name = f"{slug(label)}/{slug(f['note']) or command_note(f['data'])}"
        cur.append(f)
    if cur: exchanges.append((unique(name, taken), cur))
    return exchanges


def negotiated_caps(frames):
    hs = next(f['data'] for f in frames if f['dir'] == 's2c')
    resp = next(f['data'] for f in frames if f['dir'] == 'c2s')
    p = hs.index(b'\0', 1) + 1 + 4 + 8 + 1
    server = int.from_bytes(hs[p:p + 2], 'little') | int.from_bytes(hs[p + 5:p + 7], 'little') << 16
    server_m = int.from_bytes(hs[p + 14:p + 18], 'little')
    client = int.from_bytes(resp[0:4], 'little')
    client_m = int.from_bytes(resp[28:32], 'little') if len(resp) >= 32 else 0
    return client & server, client_m & server_m


def describe(frame, first_server, command, deprecate_eof):
    """A short comment on what a frame is; command is the exchange's command byte (None: login)."""
    d, n = frame['data'], frame['len']
    auth = command in (None, 0x11)
    if frame['dir'] == 'c2s':
        if frame['seq'] == 0 and d: return COMMAND_NAMES.get(d[0], 'command')
        if command is None and frame['seq'] == 1: return 'HandshakeResponse41'
        if auth: return 'AuthSwitchResponse'
        return 'LOCAL INFILE data' if n else 'end of LOCAL INFILE data'
    if not d: return 'empty'
    if d[0] == 0x0a and first_server: return 'HandshakeV10'
    if d[0] == 0xff: return 'progress report' if d[1:3] == b'\xff\xff' else 'ERR'
    if d[0] == 0xfe and auth: return 'AuthSwitchRequest'
    if d[0] == 0xfe and n < 0xffffff: return 'OK (0xFE header)' if deprecate_eof else 'EOF'
    if d[0] == 0x00 and command == 0x16 and n == 12: return 'COM_STMT_PREPARE OK'
    if d[0] == 0x00 and command in (0x17, 0x1c) and n > 7: return 'binary row'
    if d[0] == 0x00: return 'OK'
    if d[0] == 0xfb and n > 1: return 'LOCAL INFILE request'
    if d[:4] == b'\x03def': return 'column definition'
    if n <= 2: return 'column count'
    if command == 0x09: return 'statistics text'
    return 'row' if n < 0xffffff else 'first frame of a large row'


def main():
    out_c, corpus_dir, logs = sys.argv[1], sys.argv[2], sys.argv[3:]
    sessions = load(logs)
    arrays, array_of = [], {}
    lines = []
    ex_entries = []
    for label, frames in sessions.items():
        caps, mcaps = negotiated_caps(frames)
        for name, ex in split_exchanges(label, frames):
            fname = 'x_' + re.sub(r'[^a-z0-9]', '_', name)
            lines.append(f'/* {name}: {len(ex)} frames */')
            lines.append(f'static const TsrCapFrame {fname}[] = {{')
            for i, f in enumerate(ex):
                data = f['data'] if f['len'] <= 4096 else f['data'][:HEAD_ONLY]
                key = hashlib.sha1(data).hexdigest()[:12]
                if key not in array_of:
                    array_of[key] = f'tsr_cap_p_{key}'
                    arrays.append((array_of[key], data))
                command = None if name.endswith('/login') else ex[0]['data'][0]
                what = describe(f, i == 0 and command is None, command, bool(caps & (1 << 24)))
                lines.append(f"  {{ {'TRUE' if f['dir'] == 'c2s' else 'FALSE'}, {f['seq']}, {f['len']}u, "
                             f"{array_of[key]}, {len(data)} }}, /* {what} */")
            lines.append('};')
            ex_entries.append((name, fname, caps, mcaps))
    write_payloads(os.path.dirname(out_c), arrays)
    with open(out_c, 'w') as o:
        o.write('/* captured-vectors.c: MariaDB 10.11.19 traffic captured byte for byte on loopback\n'
                ' * (generated by protocol/tests/capture/gen-vectors.py; see capture-client.py for\n'
                ' * the sessions). Sessions: "classic" and "deprecate-eof" (a raw client with\n'
                ' * libmariadb\'s capabilities, without and with CLIENT_DEPRECATE_EOF), "cli" and\n'
                ' * "cli-wrong-password" (the mariadb command line client through a logging relay),\n'
                ' * "sysbench" (libmariadb prepared statements), "change-user-*", "big-*" (rows of\n'
                ' * 16 MiB and more: only the first bytes of large frames are kept), "wrong-password",\n'
                ' * "no-db-no-attrs" (a HandshakeResponse41 without database, attributes and\n'
                ' * lenenc auth data). */\n')
        o.write('#include "captured-vectors.h"\n#include "captured-payloads.h"\n\n')
        o.write('\n'.join(lines) + '\n\n')
        o.write('const TsrCapExchange tsr_cap_exchanges[] = {\n')
        for name, fname, caps, mcaps in ex_entries:
            o.write(f'  {{ "{name}", 0x{caps:08x}u, 0x{mcaps:08x}u, {fname}, G_N_ELEMENTS({fname}) }},\n')
        o.write('};\nconst gsize tsr_cap_n_exchanges = G_N_ELEMENTS(tsr_cap_exchanges);\n')
    write_corpus(corpus_dir, sessions)


def write_payloads(out_dir, arrays):
    """captured-payloads.c (one array per distinct payload) and its header."""
    with open(os.path.join(out_dir, 'captured-payloads.h'), 'w') as h:
        h.write('/* captured-payloads.h: the payloads of captured-vectors.c\'s frames, one array per\n'
                ' * distinct payload (named by its SHA-1). Generated by protocol/tests/capture/gen-vectors.py. */\n'
                '#ifndef TESSERA_CAPTURED_PAYLOADS_H\n#define TESSERA_CAPTURED_PAYLOADS_H\n\n#include <glib.h>\n\n')
        for name, _ in arrays:
            h.write(f'extern const guint8 {name}[];\n')
        h.write('\n#endif\n')
    with open(os.path.join(out_dir, 'captured-payloads.c'), 'w') as o:
        o.write('/* captured-payloads.c: the bytes of the payloads captured-vectors.c\'s frames carry\n'
                ' * (generated by protocol/tests/capture/gen-vectors.py). */\n#include "captured-payloads.h"\n\n')
        for name, data in arrays:
            body = ','.join(f'0x{b:02x}' for b in data) if data else '0'
            items = body.split(',')
            wrapped = ['  ' + ','.join(items[i:i + 16]) + ',' for i in range(0, len(items), 16)]
            o.write(f'const guint8 {name}[] = {{\n' + '\n'.join(wrapped) + '\n};\n')


def target_of(frame, first):
    d = frame['data']
    if frame['len'] > 4096: return None
    if frame['dir'] == 'c2s':
        if frame['seq'] == 0 and d and d[0] in (0x16, 0x17, 0x18, 0x19, 0x1a, 0x1c): return 'stmt'
        if frame['seq'] == 0: return 'command'
        return 'handshake'
    if first or (d and d[0] in (0x01, 0xfe) and frame['len'] > 9): return 'handshake'
    if d and d[0] in (0x00, 0xfe, 0xff) and frame['len'] < 64: return 'packets'
    return 'resultset'


# Commands of protocol/fuzz/fuzz-response.c, in its order (None: the authentication exchange).
RESPONSE_COMMANDS = [0x03, 0x17, 0x16, 0x04, 0x1c, None, 0x11, 0x0e, 0x09, 0x1a, 0x1b, 0x1f, 0x0a, 0x01]


def frame_bytes(f):
    return f['len'].to_bytes(3, 'little') + bytes([f['seq']]) + f['data']


def write_response_corpus(corpus_dir, label, frames):
    """One file per exchange: command index, capability byte, then its frames after the command."""
    caps, _ = negotiated_caps(frames)
    os.makedirs(os.path.join(corpus_dir, 'response'), exist_ok=True)
    for name, ex in split_exchanges(label, frames):
        login = name.endswith('/login')
        command = None if login else ex[0]['data'][0]
        if command not in RESPONSE_COMMANDS or any(f['len'] > 4096 for f in ex): continue
        body = b''.join(frame_bytes(f) for f in ex[2 if login else 1:])
        head = bytes([RESPONSE_COMMANDS.index(command), 1 if caps & (1 << 24) else 0])
        open(os.path.join(corpus_dir, 'response', slug(name)), 'wb').write(head + body)


def write_corpus(corpus_dir, sessions):
    seen = set()
    for label, frames in sessions.items():
        stream = b''
        for i, f in enumerate(frames):
            t = target_of(f, i == 0)
            if f['len'] <= 4096:
                stream += frame_bytes(f)
            if t is None: continue
            key = hashlib.sha1(f['data']).hexdigest()[:16]
            if (t, key) in seen: continue
            seen.add((t, key))
            os.makedirs(os.path.join(corpus_dir, t), exist_ok=True)
            open(os.path.join(corpus_dir, t, key), 'wb').write(f['data'])
        write_response_corpus(corpus_dir, label, frames)
        os.makedirs(os.path.join(corpus_dir, 'frame'), exist_ok=True)
        open(os.path.join(corpus_dir, 'frame', slug(label)), 'wb').write(stream[:16384])


if __name__ == '__main__':
    main()
