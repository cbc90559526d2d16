#!/usr/bin/env python3
"""Writes the seed corpus of the wire_decoder fuzzer (fuzz/corpus/wire/) and the edge-case
seeds of the service_file fuzzer (fuzz/corpus/service_file/edge-*.toml, plus copies of
config/examples/*.toml). Deterministic; run it again after changing the seeds and commit
the result. Needs only the Python standard library.

Wire seed layout (wire_decoder_fuzz.cpp): byte 0 chooses the chunking of the stream, the
rest is the byte stream of the control socket (frames: big-endian u32 length + msgpack).
"""
import os
import shutil
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


class Bin(bytes):
    """A msgpack bin value (bytes would otherwise be encoded as str)."""


class F32(float):
    """A float encoded as msgpack float32."""


class Ext:
    def __init__(self, code, data):
        self.code, self.data = code, data


def pack(v):
    if v is None:
        return b"\xc0"
    if v is True:
        return b"\xc3"
    if v is False:
        return b"\xc2"
    if isinstance(v, int):
        if 0 <= v < 0x80:
            return bytes([v])
        if -32 <= v < 0:
            return struct.pack("b", v)
        if v >= 0:
            for fmt, tag in ((">B", 0xCC), (">H", 0xCD), (">I", 0xCE), (">Q", 0xCF)):
                try:
                    return bytes([tag]) + struct.pack(fmt, v)
                except struct.error:
                    pass
        for fmt, tag in ((">b", 0xD0), (">h", 0xD1), (">i", 0xD2), (">q", 0xD3)):
            try:
                return bytes([tag]) + struct.pack(fmt, v)
            except struct.error:
                pass
        raise ValueError(v)
    if isinstance(v, F32):
        return b"\xca" + struct.pack(">f", v)
    if isinstance(v, float):
        return b"\xcb" + struct.pack(">d", v)
    if isinstance(v, Bin):
        n = len(v)
        if n < 0x100:
            return bytes([0xC4, n]) + v
        if n < 0x10000:
            return b"\xc5" + struct.pack(">H", n) + v
        return b"\xc6" + struct.pack(">I", n) + v
    if isinstance(v, str):
        b = v.encode()
        n = len(b)
        if n < 32:
            return bytes([0xA0 | n]) + b
        if n < 0x100:
            return bytes([0xD9, n]) + b
        if n < 0x10000:
            return b"\xda" + struct.pack(">H", n) + b
        return b"\xdb" + struct.pack(">I", n) + b
    if isinstance(v, Ext):
        n = len(v.data)
        fixed = {1: 0xD4, 2: 0xD5, 4: 0xD6, 8: 0xD7, 16: 0xD8}
        if n in fixed:
            return bytes([fixed[n], v.code & 0xFF]) + v.data
        return bytes([0xC7, n, v.code & 0xFF]) + v.data
    if isinstance(v, (list, tuple)):
        n = len(v)
        head = bytes([0x90 | n]) if n < 16 else (b"\xdc" + struct.pack(">H", n) if n < 0x10000
                                                 else b"\xdd" + struct.pack(">I", n))
        return head + b"".join(pack(e) for e in v)
    if isinstance(v, dict):
        n = len(v)
        head = bytes([0x80 | n]) if n < 16 else (b"\xde" + struct.pack(">H", n) if n < 0x10000
                                                 else b"\xdf" + struct.pack(">I", n))
        return head + b"".join(pack(k) + pack(e) for k, e in v.items())
    raise TypeError(type(v))


def frame(body):
    return struct.pack(">I", len(body)) + body


def req(msgid, method, params):
    return frame(pack([0, msgid, method, [params]]))


def res(msgid, result, error=None):
    return frame(pack([1, msgid, error, result]))


def note(method, params):
    return frame(pack([2, method, [params]]))


CREATE = {
    "command": ["sh", "-c", "echo hi; sleep 1"], "name": "web", "env": ["A=1", "PATH=/bin"],
    "workdir": "/tmp", "user": "1000:1000", "labels": {"app": "x", "role": "y"},
    "stop_signal": "SIGTERM", "stop_timeout": 5, "restart": "on-failure:3", "auto_remove": False,
    "requires": ["db"], "restart_delay_ms": 100, "restart_max_delay_ms": 60000,
    "restart_reset_ms": 10000, "restart_limit": 10, "restart_window_ms": 60000,
    "health_cmd": ["/bin/sh", "-c", "true"], "health_interval_ms": 30000,
    "health_timeout_ms": 30000, "health_retries": 3, "health_start_period_ms": 0,
    "health_on_failure": "restart", "sdnotify": False, "autostart": True, "interactive": True,
    "tty": False, "log_max_size": 10485760, "log_max_files": 5, "rootfs": "/srv/root",
    "rootfs_overlay": True, "read_only": False,
    "mounts": [{"source": "/data", "destination": "/data", "read_only": True}],
    "hostname": "web", "pid": "private", "ipc": "host", "uts": "private", "network": "none",
    "memory": 268435456, "cpus": 0.5, "cpu_shares": 1024, "pids_limit": 64,
}


def nested(depth):
    v = {"leaf": 1}
    for i in range(depth):
        v = {"k%d" % i: v} if i % 2 else [v]
    return v


def wire_seeds():
    s = {}
    hello = req(1, "hello", {"version": 1, "client": "fuzz"})
    s["hello"] = b"\x00" + hello
    s["hello-bytewise"] = b"\x80" + hello
    s["create"] = b"\x00" + req(2, "create", CREATE)
    s["session"] = b"\x07" + (hello + req(2, "create", {"command": ["true"]}) +
                              req(3, "start", {"container": "web", "attach": True}) +
                              req(4, "logs", {"container": "web", "follow": True, "tail": -1}) +
                              req(5, "detach", {"msgid": 3}) + req(6, "list", {}))
    s["replies"] = b"\x91" + (
        res(1, {"version": 1, "daemon": "ctrd", "daemon_version": "0.1.0", "pid": 4242}) +
        res(2, None, {"code": 2, "name": "no_such_container", "message": "no such container"}) +
        res(3, [{"id": "ab" * 32, "name": "web", "state": "running", "exit_code": -1}]) +
        res(4, {"id": "x", "exit_code": 137, "escalated": True}))
    s["notifications"] = b"\x42" + (
        note("output", {"msgid": 3, "stream": "stdout", "data": Bin(b"hello\n\x00\xff")}) +
        note("output", {"msgid": 3, "stream": "stderr", "data": Bin(bytes(range(256)))}) +
        note("event", {"time_ns": 1700000000123456789, "id": "ab", "status": "died",
                       "attributes": {"exit_code": "1"}}) +
        note("data", {"msgid": 9, "data": Bin(b"\x00" * 300)}) + note("data", {"eof": True}))
    s["params-absent"] = b"\x00" + frame(pack([0, 7, "version", None])) + \
        frame(pack([0, 8, "version", []])) + frame(pack([2, "ack", None]))
    s["numbers"] = b"\x00" + req(9, "numbers", {
        "i": [0, 1, 127, 128, 255, 256, 65535, 65536, 2**32 - 1, 2**32, 2**63, 2**64 - 1,
              -1, -32, -33, -128, -129, -32768, -32769, -2**31, -2**31 - 1, -2**63],
        "f": [0.0, -0.0, 1.5, 1e308, F32(0.25), float("inf"), float("-inf"), float("nan")],
        "b": [True, False, None]})
    s["strings"] = b"\x00" + req(10, "strings", {
        "s0": "", "s31": "x" * 31, "s32": "y" * 32, "s255": "z" * 255, "s256": "w" * 256,
        "utf8": "h\u00e9llo \u2603 \U0001f600", "nul": "a\x00b",
        "bin0": Bin(b""), "bin300": Bin(b"\x01" * 300)})
    s["nested-30"] = b"\x00" + req(11, "deep", {"v": nested(29)})
    s["nested-40"] = b"\x00" + req(12, "deep", {"v": nested(40)})
    s["wide-map"] = b"\x00" + req(13, "wide", {"k%d" % i: i for i in range(300)})
    s["wide-array"] = b"\x00" + req(14, "wide", {"a": list(range(1000))})
    s["dup-keys"] = b"\x00" + frame(bytes([0x94, 0x00, 0x0f, 0xa1, ord("m"), 0x91, 0x82]) +
                                    pack("a") + pack(1) + pack("a") + pack(2))
    s["int-key"] = b"\x00" + frame(bytes([0x94, 0x00, 0x01, 0xa1, ord("x"), 0x91, 0x81, 0x01, 0x02]))
    s["ext"] = b"\x00" + frame(pack([0, 1, "x", [{"e": Ext(1, b"\x01")}]])) + \
        frame(pack(Ext(-1, b"\x00" * 12)))
    s["bad-envelopes"] = b"\x00" + b"".join(frame(pack(v)) for v in [
        {"a": 1}, [], [0], [0, 1, 2, []], [0, -1, "x", []], [0, 2**32, "x", []], [9, 1, "x", []],
        [0, 1, "x", [1, 2]], [0, 1, "x", [{}, {}]], [1, 1, "error", None], [1, 1], [2, 5, []],
        [2, "m", {"not": "array"}], [0, 1, "x", [{}], "extra"]])
    s["raw-value"] = b"\x00" + pack(CREATE)
    s["raw-trailing"] = b"\x00" + pack([1, 2, 3]) + b"z"
    s["reserved-byte"] = b"\x00" + frame(b"\xc1")
    s["len-zero"] = b"\x00" + b"\x00\x00\x00\x00" + hello
    s["len-8mib"] = b"\x00" + struct.pack(">I", 8 << 20) + b"\x94\x00\x01"
    s["len-8mib-plus-1"] = b"\x00" + hello + struct.pack(">I", (8 << 20) + 1)
    s["len-max"] = b"\x00" + b"\xff\xff\xff\xff"
    s["truncated-frame"] = b"\x00" + hello[:-3]
    s["truncated-header"] = b"\x00" + hello + hello[:2]
    s["huge-counts"] = b"\x00" + b"".join(frame(b) for b in [
        b"\xdd\xff\xff\xff\xff", b"\xdf\xff\xff\xff\xff", b"\xdb\x7f\xff\xff\xff",
        b"\xc6\xff\xff\xff\xff", b"\xdc\xff\xff" + b"\xc0" * 16, b"\xde\x10\x01"])
    s["deep-arrays"] = b"\x00" + frame(b"\x91" * 100 + b"\xc0")
    return s


EDGE_TOML = {
    "edge-minimal.toml": 'command = ["sleep", "infinity"]\n',
    "edge-empty.toml": "",
    "edge-flat-health.toml": (
        'command = ["srv"]\nhealth_cmd = "curl -f http://localhost/ || exit 1"\n'
        'health_interval = "1m30s"\nhealth_timeout = 2.5\nhealth_retries = 0\n'
        'health_start_period = 0\nhealth_on_failure = "kill"\n'),
    "edge-all-keys.toml": (
        '# every top-level key once\ncommand = ["a", "b c", "\\u00e9\\t"]\nrestart = "unless-stopped"\n'
        'requires = ["db", "cache.1"]\nenv = ["A=1", "B="]\nstop_signal = 9\nstop_timeout = 0\n'
        "workdir = '/srv/app'\nuser = 1000\nlabels = { \"a.b\" = \"c\", 'q' = '''multi\nline''' }\n"
        "autostart = false\nsdnotify = true\nrestart_delay = 0.001\nrestart_max_delay = 2592000\n"
        'restart_reset = "10s"\nrestart_window = "1h"\nrestart_limit = 1000000\n'),
    "edge-env-table.toml": (
        'command = ["env"]\n[env]\nPATH = "/bin"\nN = 42\nB = true\n"quoted key" = "v"\n'
        "[labels]\nx.y = 'dotted'\n"),
    "edge-dotted.toml": 'command = ["x"]\nhealth.cmd = ["true"]\nhealth.interval = "5s"\n'
                        "labels.a.b = 'too deep'\n",
    "edge-errors.toml": 'comand = ["typo"]\nrestart_delay_ms = 100\nname = "x"\n',
    "edge-mixed.toml": 'command = ["x"]\nhealth_cmd = "true"\n[health]\ncmd = "true"\n',
    "edge-types.toml": (
        'command = "not an array"\nrestart = 1\nstop_signal = 1979-05-27T07:32:00Z\n'
        "stop_timeout = -1\nuser = -5\nworkdir = 'relative'\nrequires = ['svc', 'svc']\n"),
    "edge-syntax.toml": 'command = ["unterminated\n[table\nkey = = 1\n"""\n',
    "edge-unicode.toml": '\ufeffcommand = ["\u00e9\u2603", "\U0001f600"] # comment \u00e9\n'
                         "labels = { \"\u00e9\" = \"\\U0001F600\" }\n",
    "edge-arrays-of-tables.toml": 'command = ["x"]\n[[health]]\ncmd = "true"\n[[labels]]\n',
    "edge-big-numbers.toml": (
        'command = ["x"]\nstop_timeout = 9223372036854775807\nrestart_delay = 1e400\n'
        "restart_window = nan\nrestart_reset = -inf\nuser = 0xffffffff\n"),
    "edge-crlf.toml": 'command = ["x"]\r\nrestart = "always"\r\n[health]\r\ncmd = ["true"]\r\n',
}


def main():
    wire_dir = os.path.join(HERE, "corpus", "wire")
    svc_dir = os.path.join(HERE, "corpus", "service_file")
    for d in (wire_dir, svc_dir):
        os.makedirs(d, exist_ok=True)
    for name, data in wire_seeds().items():
        with open(os.path.join(wire_dir, name), "wb") as f:
            f.write(data)
    for name, text in EDGE_TOML.items():
        with open(os.path.join(svc_dir, name), "wb") as f:
            f.write(text.encode())
    examples = os.path.join(ROOT, "config", "examples")
    for name in sorted(os.listdir(examples)):
        if name.endswith(".toml"):
            shutil.copyfile(os.path.join(examples, name), os.path.join(svc_dir, "example-" + name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
