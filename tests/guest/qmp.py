# SPDX-License-Identifier: MIT
"""A small QMP client (QEMU Machine Protocol, docs/interop/qmp-spec.rst):
one JSON object per line over a Unix socket; a greeting, `qmp_capabilities`
to leave negotiation mode, then commands answered by `return` or `error`,
with asynchronous `event`s in between (kept in .events)."""

import json
import socket
import time


class QmpError(Exception):
    """A command answered with {"error": {"class": ..., "desc": ...}}."""

    def __init__(self, command, error):
        self.command = command
        self.error_class = error.get("class", "?")
        self.desc = error.get("desc", "?")
        super().__init__("QMP %s: %s: %s" % (command, self.error_class, self.desc))


class Qmp:
    def __init__(self, path, timeout=30):
        """Connects to QEMU's `-qmp unix:PATH,server=on,wait=off` socket,
        retrying until it exists or `timeout` seconds passed, and negotiates."""
        self.events = []
        deadline = time.monotonic() + timeout
        while True:
            self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                self._sock.connect(str(path))
                break
            except OSError as e:
                self._sock.close()
                if time.monotonic() > deadline:
                    raise AssertionError("QMP socket %s: %s after %.0f s" % (path, e, timeout))
                time.sleep(0.05)
        self._sock.settimeout(timeout)
        self._buf = b""
        greeting = self._read()
        if "QMP" not in greeting:
            raise AssertionError("QMP %s: no greeting: %r" % (path, greeting))
        self.version = greeting["QMP"]["version"]["qemu"]
        self.cmd("qmp_capabilities")

    def _read(self):
        while b"\n" not in self._buf:
            chunk = self._sock.recv(65536)
            if not chunk:
                raise EOFError("QMP: QEMU closed the monitor")
            self._buf += chunk
        line, self._buf = self._buf.split(b"\n", 1)
        return json.loads(line)

    def cmd(self, name, **arguments):
        """Runs a command; returns its `return` value or raises QmpError."""
        req = {"execute": name}
        if arguments:
            req["arguments"] = arguments
        self._sock.sendall(json.dumps(req).encode() + b"\n")
        while True:
            msg = self._read()
            if "event" in msg:
                self.events.append(msg)
            elif "error" in msg:
                raise QmpError(name, msg["error"])
            elif "return" in msg:
                return msg["return"]

    def close(self):
        self._sock.close()
