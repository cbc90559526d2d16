#!/usr/bin/env python3
"""Minimal ctrd client: create, start and inspect a container (docs/protocol.md).

Usage: client.py SOCKET COMMAND [ARG...]
Needs the `msgpack` module (Debian: python3-msgpack, run with /usr/bin/python3).
"""
import json, socket, struct, sys

import msgpack


class Ctrd:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.msgid = 0
        self.call("hello", version=1, client="client.py")

    def _read_exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionError("ctrd closed the connection")
            buf += chunk
        return buf

    def call(self, method, **params):
        self.msgid += 1
        body = msgpack.packb([0, self.msgid, method, [params]])
        self.sock.sendall(struct.pack(">I", len(body)) + body)
        while True:  # skip notifications (streamed output) until our response
            (n,) = struct.unpack(">I", self._read_exact(4))
            msg = msgpack.unpackb(self._read_exact(n), raw=False)
            if msg[0] == 1 and msg[1] == self.msgid:
                if msg[2] is not None:
                    raise RuntimeError(f"{msg[2]['name']}: {msg[2]['message']}")
                return msg[3]


if __name__ == "__main__":
    c = Ctrd(sys.argv[1])
    created = c.call("create", command=sys.argv[2:], labels={"via": "client.py"})
    c.call("start", container=created["id"])
    print(json.dumps(c.call("inspect", container=created["id"]), indent=2))
