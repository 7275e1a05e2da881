# SPDX-License-Identifier: MIT
"""Fixtures of the storlab system tests: real processes, real sockets, real peers.

    STORLAB_BUILD=/work/main/build/san /usr/bin/python3 -m pytest -q tests/system

STORLAB_BUILD is the build directory whose bin/ holds storlab-tgt and storlab
(default: build/default). Every process a fixture starts is stopped by it, on
failure too; every wait has a timeout; socket paths live under /tmp (Unix
socket paths are limited to 107 bytes).
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.guest import deps as guest_deps  # noqa: E402

BUILD = Path(os.environ.get("STORLAB_BUILD") or ROOT / "build" / "default")
TGT_BIN = BUILD / "bin" / "storlab-tgt"
CLI_BIN = BUILD / "bin" / "storlab"
SAN_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")
READY_LINE = "listening on RPC socket"

MiB = 1 << 20


def san_errors(text):
    """The sanitizer report lines in a process's output (the SAN build runs here)."""
    return [l for l in text.splitlines() if any(m in l for m in SAN_MARKERS)]


def assert_no_san(text, who):
    bad = san_errors(text)
    assert not bad, "%s: sanitizer report:\n%s\n--- output:\n%s" % (who, "\n".join(bad),
                                                                     tail(text, 80))


def tail(text, n=40):
    return "\n".join(text.splitlines()[-n:])


def need_binary(path):
    if not path.exists():
        pytest.fail("%s is not built (STORLAB_BUILD=%s): run `make%s %s`"
                    % (path, BUILD, " SAN=1" if BUILD.name == "san" else "",
                       os.path.relpath(path, ROOT)), pytrace=False)
    return path


def wait_for(cond, timeout, what, interval=0.02):
    deadline = time.monotonic() + timeout
    while True:
        v = cond()
        if v:
            return v
        if time.monotonic() > deadline:
            raise AssertionError("timed out after %.0f s waiting for %s" % (timeout, what))
        time.sleep(interval)


def _kill(proc):
    if proc.poll() is None:
        try:
            proc.kill()
        except ProcessLookupError:
            pass
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        pass


# ---- reading the target's JSON, tolerant of field names -------------------------


def queue_requests(q):
    """Requests a per-queue stats object counts, whatever the field names."""
    for k in ("requests", "num_requests", "ops", "total_requests"):
        v = q.get(k)
        if isinstance(v, dict):   # storlab-tgt: {"read": n, "write": n, ...}
            return sum(x for x in v.values() if isinstance(x, int))
        if isinstance(v, int):
            return v
    return sum(v for k, v in q.items() if isinstance(v, int) and not isinstance(v, bool)
               and k not in ("queue", "core", "id", "index")
               and ("req" in k or k.endswith("_ops") or k in ("reads", "writes", "flushes")))


def stats_queues(stats):
    """Flattens vhost_get_controller_stats output to its per-queue objects."""
    out = []

    def walk(x):
        if isinstance(x, dict):
            if "queue" in x and ("core" in x or "lcore" in x):
                out.append(x)
            else:
                for v in x.values():
                    walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    walk(stats)
    return out


VIRTIO_BLK_F = {"SIZE_MAX": 1, "SEG_MAX": 2, "GEOMETRY": 4, "RO": 5, "BLK_SIZE": 6,
                "FLUSH": 9, "TOPOLOGY": 10, "CONFIG_WCE": 11, "MQ": 12, "DISCARD": 13,
                "WRITE_ZEROES": 14, "VERSION_1": 32}


def has_feature(info, name):
    """Whether `storlab io info --json` output shows feature NAME (VIRTIO_BLK_F_NAME),
    whether features are printed as a number, a hex string, a list or a map."""
    f = None
    for k in ("features", "negotiated_features", "driver_features", "device_features"):
        if k in info:
            f = info[k]
            break
    if f is None:
        raise AssertionError("no features in `storlab io info --json`: %s" % info)
    if isinstance(f, str):
        f = int(f, 0)
    if isinstance(f, int):
        return bool(f >> VIRTIO_BLK_F[name] & 1)
    if isinstance(f, dict) and "negotiated" in f:
        # storlab io info: {"offered": "0x...", "negotiated": "0x...", "bits": [...]}
        f = f["negotiated"]
        if isinstance(f, str):
            f = int(f, 0)
    if isinstance(f, int):
        return bool(f >> VIRTIO_BLK_F[name] & 1)
    if isinstance(f, dict):
        f = [k for k, v in f.items() if v]
    names = {str(x).upper().replace("VIRTIO_BLK_F_", "").replace("VIRTIO_F_", "") for x in f}
    return name in names


def info_config(info):
    """The virtio-blk config space object of `storlab io info --json`."""
    return info.get("config", info)


def stats_total(stats):
    return sum(queue_requests(q) for q in stats_queues(stats))


def queue_core(q):
    return q.get("core", q.get("lcore"))


# Every process any fixture started: the session's last resort cleanup.
_ALL_PROCS = []


@pytest.fixture(scope="session", autouse=True)
def _reap_everything():
    yield
    for p in _ALL_PROCS:
        _kill(p)


@pytest.fixture
def workdir():
    """A short, private directory under /tmp (socket paths must stay short)."""
    d = tempfile.mkdtemp(prefix="sl-", dir="/tmp")
    yield Path(d)
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="session")
def build_dir():
    """The build directory under test (STORLAB_BUILD, default build/default)."""
    return BUILD


@pytest.fixture(scope="session")
def tgt_bin():
    return need_binary(TGT_BIN)


@pytest.fixture(scope="session")
def cli_bin():
    return need_binary(CLI_BIN)


# ---- the storlab CLI ---------------------------------------------------------


class Bg:
    """A background process with its output in files (no pipe can fill up)."""

    def __init__(self, argv, workdir, name):
        self.argv = [str(a) for a in argv]
        self.out_path = Path(workdir) / (name + ".out")
        self.err_path = Path(workdir) / (name + ".err")
        self._out = open(self.out_path, "wb")
        self._err = open(self.err_path, "wb")
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=self._out,
                                     stderr=self._err)
        _ALL_PROCS.append(self.proc)

    @property
    def pid(self):
        return self.proc.pid

    def alive(self):
        return self.proc.poll() is None

    def wait(self, timeout):
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill(self.proc)
            raise AssertionError("%s did not end within %.0f s (killed)\n--- stdout:\n%s\n"
                                 "--- stderr:\n%s" % (" ".join(self.argv), timeout,
                                                      tail(self.stdout), tail(self.stderr)))

    def kill(self, sig=signal.SIGKILL):
        if self.alive():
            self.proc.send_signal(sig)

    @property
    def stdout(self):
        return self.out_path.read_text(errors="replace")

    @property
    def stderr(self):
        return self.err_path.read_text(errors="replace")

    def close(self):
        _kill(self.proc)
        self._out.close()
        self._err.close()


class Storlab:
    """Runs `storlab ...` with a timeout; checks the exit status and sanitizers."""

    def __init__(self, binary, workdir):
        self.binary = binary
        self.workdir = workdir
        self._bg = []
        self._n = 0

    def __call__(self, *args, rc=0, timeout=120, input=None):
        argv = [str(self.binary)] + [str(a) for a in args]
        try:
            p = subprocess.run(argv, capture_output=True, timeout=timeout, input=input,
                               stdin=None if input is not None else subprocess.DEVNULL)
        except subprocess.TimeoutExpired as e:
            raise AssertionError("`%s` did not end within %d s (killed)\n--- stderr:\n%s"
                                 % (" ".join(argv), timeout,
                                    tail((e.stderr or b"").decode(errors="replace"))))
        p.stdout = p.stdout.decode(errors="replace")
        p.stderr = p.stderr.decode(errors="replace")
        assert_no_san(p.stderr, " ".join(argv))
        if rc is not None:
            assert p.returncode == rc, (
                "`%s` exited %d, expected %d\n--- stdout:\n%s\n--- stderr:\n%s"
                % (" ".join(argv), p.returncode, rc, tail(p.stdout), tail(p.stderr)))
        return p

    def json(self, *args, **kw):
        p = self(*args, **kw)
        try:
            return json.loads(p.stdout)
        except ValueError:
            raise AssertionError("`storlab %s` printed no JSON:\n%s"
                                 % (" ".join(map(str, args)), p.stdout))

    def bg(self, *args):
        """Starts `storlab ...` in the background; killed at teardown."""
        self._n += 1
        b = Bg([self.binary] + list(args), self.workdir, "storlab-%d" % self._n)
        self._bg.append(b)
        return b

    def close(self):
        for b in self._bg:
            b.close()
        for b in self._bg:
            assert_no_san(b.stderr, " ".join(b.argv))


@pytest.fixture
def storlab(workdir):
    """storlab(*args, rc=0, timeout=120) -> CompletedProcess (text); .json(...), .bg(...)."""
    s = Storlab(need_binary(CLI_BIN), workdir)
    yield s
    s.close()


# ---- the target --------------------------------------------------------------


class Target:
    """A storlab-tgt process: -m MASK -S SOCKDIR -r RPCSOCK --mode MODE."""

    def __init__(self, workdir, mask="0x3", mode="adaptive", extra=()):
        self.binary = need_binary(TGT_BIN)
        self.workdir = Path(workdir)
        self.sockdir = self.workdir / "s"
        self.sockdir.mkdir(exist_ok=True)
        self.rpc_sock = self.workdir / "rpc.sock"
        self.mask, self.mode, self.extra = mask, mode, list(extra)
        self.bg = None
        self.logs = []
        self._starts = 0

    def argv(self):
        return [self.binary, "-m", self.mask, "-S", self.sockdir, "-r", self.rpc_sock,
                "--mode", self.mode] + self.extra

    def start(self, timeout=30):
        assert self.bg is None or not self.bg.alive(), "target already running"
        self._starts += 1
        self.bg = Bg(self.argv(), self.workdir, "tgt-%d" % self._starts)
        self.logs.append(self.bg)

        def ready():
            if not self.bg.alive():
                raise AssertionError("storlab-tgt exited %s before it was ready:\n%s"
                                     % (self.bg.proc.returncode, tail(self.log)))
            return READY_LINE in self.log and self.rpc_sock.exists()

        wait_for(ready, timeout, "storlab-tgt to log %r" % READY_LINE)
        return self

    @property
    def log(self):
        """stdout + stderr of the current (last) run."""
        return self.bg.stdout + self.bg.stderr if self.bg else ""

    def all_logs(self):
        return "".join(b.stdout + b.stderr for b in self.logs)

    def alive(self):
        return self.bg is not None and self.bg.alive()

    def stop(self, sig=signal.SIGTERM, timeout=30):
        """Signals the target, waits, and checks: exit 0, no sanitizer report,
        no socket file left behind."""
        assert self.alive(), "storlab-tgt is not running (exit %s):\n%s" % (
            self.bg.proc.returncode if self.bg else None, tail(self.log))
        self.bg.kill(sig)
        rc = self.bg.wait(timeout)
        assert_no_san(self.log, "storlab-tgt")
        assert rc == 0, "storlab-tgt exited %d on %s:\n%s" % (rc, signal.Signals(sig).name,
                                                              tail(self.log))
        left = self.leftover_sockets()
        assert not left, "storlab-tgt left socket files behind: %s" % left
        return rc

    def leftover_sockets(self):
        left = [str(p) for p in self.sockdir.iterdir()]
        if self.rpc_sock.exists():
            left.append(str(self.rpc_sock))
        return left

    def close(self):
        for b in self.logs:
            b.close()

    # -- management --
    def rpc_run(self, method, *args, rc=0, timeout=60):
        argv = [need_binary(CLI_BIN), "rpc", "-s", self.rpc_sock, method] + list(args)
        argv = [str(a) for a in argv]
        try:
            p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                               stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise AssertionError("`%s` did not answer within %d s" % (" ".join(argv), timeout))
        assert_no_san(p.stderr, " ".join(argv))
        if rc is not None:
            assert p.returncode == rc, (
                "`%s` exited %d, expected %d\n--- stdout:\n%s\n--- stderr:\n%s\n"
                "--- target log:\n%s" % (" ".join(argv), p.returncode, rc, tail(p.stdout),
                                         tail(p.stderr), tail(self.log, 20)))
        return p

    def rpc(self, method, *args, timeout=60):
        """Calls METHOD, expects success, returns the JSON result (or the text
        if it is not JSON)."""
        p = self.rpc_run(method, *args, timeout=timeout)
        try:
            return json.loads(p.stdout) if p.stdout.strip() else None
        except ValueError:
            return p.stdout.strip()

    def rpc_error(self, method, *args):
        """Calls METHOD, expects the error exit (1) with a message on stderr."""
        p = self.rpc_run(method, *args, rc=1)
        assert p.stderr.strip(), "`storlab rpc %s` failed without a message" % method
        return p.stderr

    def sock(self, ctrl):
        return str(self.sockdir / ctrl)

    def uri(self, ctrl):
        return "vhost-user-blk:" + self.sock(ctrl)

    # -- common setups --
    def malloc(self, name="Malloc0", size_mb=64, block_size=512):
        self.rpc("bdev_malloc_create", "-b", name, size_mb, block_size)
        return name

    def controller(self, ctrl, bdev, cpumask=None, num_queues=None, readonly=False):
        args = [ctrl, bdev]
        if cpumask:
            args += ["--cpumask", cpumask]
        if readonly:
            args += ["-r"]
        if num_queues:
            args += ["--num-queues", num_queues]
        self.rpc("vhost_create_blk_controller", *args)
        wait_for(lambda: os.path.exists(self.sock(ctrl)), 10, "socket %s" % self.sock(ctrl))
        return self.uri(ctrl)


@pytest.fixture
def tgt_factory(workdir):
    """tgt_factory(mask="0x3", mode="adaptive", extra=()) -> started Target.
    At teardown each one still running is stopped with SIGTERM and must exit 0
    with no sanitizer report and no socket left."""
    made = []

    def make(mask="0x3", mode="adaptive", extra=(), subdir=None):
        d = workdir / (subdir or "t%d" % len(made))
        d.mkdir()
        t = Target(d, mask, mode, extra)
        made.append(t)
        return t.start()

    yield make
    try:
        for t in made:
            if t.alive():
                t.stop()
            assert_no_san(t.all_logs(), "storlab-tgt")
    finally:
        for t in made:
            t.close()


@pytest.fixture
def tgt(tgt_factory):
    """A running storlab-tgt: -m 0x3 --mode adaptive."""
    return tgt_factory()


# ---- qemu-storage-daemon, a vhost-user-blk back-end we did not write ----------


class Qsd:
    def __init__(self, workdir, image=None, size=64 * MiB, null=False, num_queues=2,
                 writable=True, name="qsd"):
        binary = guest_deps.qemu_storage_daemon()
        self.sock = str(Path(workdir) / (name + ".sock"))
        self.uri = "vhost-user-blk:" + self.sock
        self.size = size
        self.image = None
        if null:
            blockdev = "driver=null-co,node-name=d0,size=%d" % size
        else:
            self.image = Path(image) if image else Path(workdir) / (name + ".img")
            if not self.image.exists():
                with open(self.image, "wb") as f:
                    f.truncate(size)
            blockdev = "driver=file,filename=%s,node-name=d0,discard=unmap" % self.image
        export = ("type=vhost-user-blk,id=e0,node-name=d0,addr.type=unix,addr.path=%s,"
                  "writable=%s,num-queues=%d" % (self.sock, "on" if writable else "off",
                                                 num_queues))
        self.bg = Bg([binary, "--blockdev", blockdev, "--export", export], workdir, name)

    def wait_ready(self, timeout=20):
        wait_for(self._ready, timeout, "qemu-storage-daemon's socket %s" % self.sock)
        return self

    def _ready(self):
        if not self.bg.alive():
            raise AssertionError("qemu-storage-daemon exited %s:\n%s"
                                 % (self.bg.proc.returncode, self.bg.stderr))
        if not os.path.exists(self.sock):
            return False
        # bind() comes before listen(): a connect in between is refused.
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(self.sock)
            return True
        except OSError:
            return False
        finally:
            s.close()

    def stop(self):
        if self.bg.alive():
            self.bg.kill(signal.SIGTERM)
            try:
                self.bg.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
        self.bg.close()


@pytest.fixture
def qsd_factory(workdir):
    """qsd_factory(image=None, size=64 MiB, null=False, num_queues=2, writable=True)
    -> a running qemu-storage-daemon vhost-user-blk export (.sock, .uri, .image)."""
    made = []

    def make(**kw):
        try:
            q = Qsd(workdir, name="qsd%d" % len(made), **kw)
        except guest_deps.MissingDependency as e:
            pytest.fail(str(e), pytrace=False)
        made.append(q)
        return q.wait_ready()

    yield make
    for q in made:
        q.stop()


@pytest.fixture
def qsd(qsd_factory):
    """qemu-storage-daemon exporting a 64 MiB file with 2 queues."""
    return qsd_factory()
