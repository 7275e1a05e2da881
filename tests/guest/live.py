# SPDX-License-Identifier: MIT
"""A guest whose QEMU is driven while it runs: its serial console is read
line by line as it comes (each line stamped with the time it arrived) and
can be written to, and QEMU has a QMP monitor on a Unix socket. The live
migration test runs two of these, the source and the destination.
runner.boot() is the simpler one-shot form (boot, run a script, collect)."""

import subprocess
import threading
import time
from pathlib import Path

from . import runner
from .qmp import Qmp


class LiveGuest:
    def __init__(self, argv, workdir, name):
        """Starts QEMU with argv (runner.qemu_argv) plus a QMP socket
        workdir/NAME.qmp; the console is also written to workdir/NAME.console."""
        self.name = name
        self.qmp_path = Path(workdir) / (name + ".qmp")
        self.argv = [str(a) for a in argv] + [
            "-qmp", "unix:%s,server=on,wait=off" % self.qmp_path]
        self.lines = []   # (monotonic time of arrival, line) of the console and QEMU's stderr
        self._cond = threading.Condition()
        self._log = open(Path(workdir) / (name + ".console"), "w")
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self._qmp = None

    def _read(self):
        for raw in self.proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\r\n").replace("\r", "")
            with self._cond:
                self.lines.append((time.monotonic(), line))
                self._cond.notify_all()
            self._log.write(line + "\n")
            self._log.flush()
        with self._cond:
            self._cond.notify_all()

    @property
    def qmp(self):
        if self._qmp is None:
            self._qmp = Qmp(self.qmp_path)
        return self._qmp

    def alive(self):
        return self.proc.poll() is None

    @property
    def console(self):
        with self._cond:
            return "\n".join(l for _, l in self.lines)

    def tail(self, n=40):
        with self._cond:
            return "\n".join(l for _, l in self.lines[-n:])

    def markers(self, word):
        """[(time, argument)] of the console's @@STORLAB-WORD argument@@ lines, in order."""
        with self._cond:
            return [(t, m.group(2) or "") for t, l in self.lines
                    for m in runner.MARKER.finditer(l) if m.group(1) == word]

    def wait_until(self, cond, timeout, what):
        """Waits until cond() is true (checked on each new console line) and
        returns its value; fails with the console's tail if QEMU exits first
        or `timeout` seconds pass."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                v = cond()
                if v:
                    return v
                left = deadline - time.monotonic()
                if left <= 0 or (not self._reader.is_alive() and self.proc.poll() is not None):
                    break
                self._cond.wait(min(left, 0.5))
        raise AssertionError("%s: %s after %.0f s (qemu %s)\n--- console (tail):\n%s" % (
            self.name, what, timeout,
            "running" if self.alive() else "exited %s" % self.proc.returncode, self.tail()))

    def send(self, text):
        """Types text on the guest's serial console."""
        self.proc.stdin.write(text.encode())
        self.proc.stdin.flush()

    def wait_exit(self, timeout):
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError("%s: QEMU still runs after %.0f s\n--- console (tail):\n%s"
                                 % (self.name, timeout, self.tail()))
        self._reader.join(timeout=10)
        return rc

    def close(self):
        if self._qmp is not None:
            self._qmp.close()
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pass
        self._reader.join(timeout=10)
        self.proc.stdin.close()
        self._log.close()
