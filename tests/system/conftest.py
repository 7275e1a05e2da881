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
import re
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


def interrupt(argv, started, what, after=0.5):
    """Runs argv, waits (up to 20 s) until started(proc) is true, lets it run
    `after` seconds more, sends SIGINT as a terminal's Ctrl-C would, and
    returns (returncode, stdout, stderr) once it exited (within 30 s)."""
    p = subprocess.Popen([str(a) for a in argv], stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: p.poll() is not None or started(p), 20, what)
        assert p.poll() is None, "exited (%s) before %s:\n%s" % (
            p.returncode, what, p.stderr.read())
        time.sleep(after)
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    return p.returncode, out, err


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


# ---- the documented output shapes ----------------------------------------------
#
# Each helper below reads exactly the fields the man pages document
# (docs/man/storlab.md, docs/man/storlab-tgt.md) and fails if one is missing,
# renamed, of another type, or inconsistent with its neighbours.

def assert_keys(obj, keys, what):
    assert isinstance(obj, dict), "%s is not an object: %r" % (what, obj)
    assert set(obj) == set(keys), "%s: fields %s, documented %s (missing %s, undocumented %s)" % (
        what, sorted(obj), sorted(keys), sorted(set(keys) - set(obj)),
        sorted(set(obj) - set(keys)))


def assert_int(v, what):
    assert isinstance(v, int) and not isinstance(v, bool), "%s is not an integer: %r" % (what, v)


def assert_bool(v, what):
    assert isinstance(v, bool), "%s is not a boolean: %r" % (what, v)


# -- vhost_get_controller_stats (storlab-tgt(8)) --

REQUEST_TYPES = ("read", "write", "flush", "get_id", "discard", "write_zeroes", "other")
QUEUE_COUNTERS = ("bytes_read", "bytes_written", "errors", "malformed", "resubmitted")
RING_COUNTERS = ("ring_starts", "ring_stops")
STATS_CTRL_KEYS = ("ctrlr", "bdev", "connected", "queues")
STATS_QUEUE_KEYS = (("queue", "core", "started", "broken", "requests", "inflight") +
                    QUEUE_COUNTERS + RING_COUNTERS)


def check_ctrl_stats(c, ctrl=None):
    """Checks one controller of vhost_get_controller_stats against storlab-tgt(8)."""
    assert_keys(c, STATS_CTRL_KEYS, "vhost_get_controller_stats controller")
    if ctrl is not None:
        assert c["ctrlr"] == ctrl, c
    assert isinstance(c["bdev"], str), c
    assert_bool(c["connected"], "connected")
    assert isinstance(c["queues"], list), c
    for i, q in enumerate(c["queues"]):
        what = "%s queue %d" % (c["ctrlr"], i)
        assert_keys(q, STATS_QUEUE_KEYS, what)
        assert q["queue"] == i, "%s: queues out of order: %s" % (what, c["queues"])
        assert_int(q["core"], what + " core")
        assert_bool(q["started"], what + " started")
        assert_bool(q["broken"], what + " broken")
        assert_keys(q["requests"], REQUEST_TYPES, what + " requests")
        for k in REQUEST_TYPES:
            assert_int(q["requests"][k], "%s requests.%s" % (what, k))
            assert q["requests"][k] >= 0, q
        for k in QUEUE_COUNTERS + RING_COUNTERS + ("inflight",):
            assert_int(q[k], "%s %s" % (what, k))
            assert q[k] >= 0, q
        # A ring stops only after it started, and runs between the two.
        assert q["ring_stops"] + q["started"] == q["ring_starts"], q
    return c


def queue_counters(q):
    """A stats queue as one flat dict of its counters: the request types, then
    bytes_read, bytes_written, errors, malformed, resubmitted."""
    d = dict(q["requests"])
    d.update((k, q[k]) for k in QUEUE_COUNTERS)
    return d


def zero_counters(**kw):
    d = dict.fromkeys(REQUEST_TYPES + QUEUE_COUNTERS, 0)
    for k, v in kw.items():
        assert k in d, "no counter %s" % k
        d[k] = v
    return d


def assert_delta(delta, expected, what=""):
    """delta: per-queue counter differences (Target.delta); expected: {queue: {counter: n}}.
    Every counter not named, on every queue, must not have moved."""
    want = [zero_counters(**expected.get(i, {})) for i in range(len(delta))]
    assert delta == want, "target counters moved %s\n got:  %s\n want: %s" % (
        what, _moved(delta), _moved(want))


def _moved(per_queue):
    """{queue: {counter: n}} of the counters that are not 0."""
    return {i: m for i, m in ((i, {k: v for k, v in d.items() if v})
                              for i, d in enumerate(per_queue)) if m}


def requests_total(q):
    return sum(q["requests"][k] for k in REQUEST_TYPES)


# -- storlab io info --json (storlab(1)) --

INFO_KEYS = ("uri", "transport", "path", "capacity", "capacity_sectors", "block_size",
             "read_only", "queues", "features", "protocol_features", "config")
# virtio 1.2 §5.2.4, by spec name (geometry's three fields flat; no unused bytes).
CONFIG_KEYS = ("bytes_read", "capacity", "size_max", "seg_max", "cylinders", "heads", "sectors",
               "blk_size", "physical_block_exp", "alignment_offset", "min_io_size",
               "opt_io_size", "writeback", "num_queues", "max_discard_sectors",
               "max_discard_seg", "discard_sector_alignment", "max_write_zeroes_sectors",
               "max_write_zeroes_seg", "write_zeroes_may_unmap", "max_secure_erase_sectors",
               "max_secure_erase_seg", "secure_erase_sector_alignment")
# What the initiator acknowledges when offered (storlab(1), `io info`).
# VHOST_USER_F_PROTOCOL_FEATURES is what makes protocol features possible at all.
INITIATOR_FEATURES = {"VIRTIO_F_VERSION_1", "VIRTIO_RING_F_INDIRECT_DESC",
                      "VIRTIO_RING_F_EVENT_IDX", "VHOST_USER_F_PROTOCOL_FEATURES"} | {
    "VIRTIO_BLK_F_" + n for n in ("SIZE_MAX", "SEG_MAX", "GEOMETRY", "RO", "BLK_SIZE", "FLUSH",
                                  "TOPOLOGY", "CONFIG_WCE", "MQ", "DISCARD", "WRITE_ZEROES")}
INITIATOR_PROTOCOL_FEATURES = {"VHOST_USER_PROTOCOL_F_" + n for n in ("MQ", "REPLY_ACK",
                                                                       "CONFIG",
                                                                       "INFLIGHT_SHMFD")}


def _check_feature_group(g, what, acked):
    assert_keys(g, ("offered", "negotiated", "bits"), what)
    offered, negotiated = 0, 0
    for b in g["bits"]:
        assert_keys(b, ("bit", "name", "offered", "negotiated"), what + " bit")
        assert_int(b["bit"], what + " bit")
        assert_bool(b["offered"], what + " offered")
        assert_bool(b["negotiated"], what + " negotiated")
        offered |= b["offered"] << b["bit"]
        negotiated |= b["negotiated"] << b["bit"]
        # The initiator acknowledges exactly what it understands, of what is offered.
        assert b["negotiated"] == (b["offered"] and b["name"] in acked), (
            "%s %s: offered %s, negotiated %s" % (what, b["name"], b["offered"],
                                                  b["negotiated"]))
    assert int(g["offered"], 16) == offered, "%s: offered %s, bits say %#x" % (
        what, g["offered"], offered)
    assert int(g["negotiated"], 16) == negotiated, "%s: negotiated %s, bits say %#x" % (
        what, g["negotiated"], negotiated)


def check_info(info, uri):
    """Checks `storlab io info URI --json` against storlab(1)."""
    assert_keys(info, INFO_KEYS, "storlab io info --json")
    assert info["uri"] == uri, info["uri"]
    assert info["transport"] == "vhost-user-blk", info["transport"]
    assert info["path"] == uri.split(":", 1)[1], info["path"]
    assert_bool(info["read_only"], "read_only")
    assert_keys(info["queues"], ("in_use", "max", "size"), "queues")
    _check_feature_group(info["features"], "features", INITIATOR_FEATURES)
    _check_feature_group(info["protocol_features"], "protocol_features",
                         INITIATOR_PROTOCOL_FEATURES)
    cfg = info["config"]
    assert_keys(cfg, CONFIG_KEYS, "config")
    for k in CONFIG_KEYS:
        assert_int(cfg[k], "config." + k)
    # The top-level fields are the config space's, in the units storlab(1) gives.
    assert info["capacity_sectors"] == cfg["capacity"], info
    assert info["capacity"] == cfg["capacity"] * 512, info
    assert info["block_size"] == cfg["blk_size"], info
    assert info["queues"]["max"] == cfg["num_queues"], info
    assert info["read_only"] == ("VIRTIO_BLK_F_RO" in negotiated(info)), info
    return info


def offered(info, group="features"):
    return {b["name"] for b in info[group]["bits"] if b["offered"]}


def negotiated(info, group="features"):
    return {b["name"] for b in info[group]["bits"] if b["negotiated"]}


# -- storlab io verify --json (storlab(1)) --

VERIFY_KEYS = ("uri", "result", "offset", "length", "bs", "queues", "qd", "seed", "passes",
               "bytes_written", "bytes_read", "bad_sectors", "io_errors", "reconnects",
               "resubmitted", "lost",
               "seconds", "mismatches", "per_queue")


def check_verify_pass(v, queues, bs, length, passes, offset=0, reconnects=0):
    """A passing `storlab io verify --json` report, with the requests per queue
    that "block k of the range goes to queue k mod Q in both phases" gives."""
    assert_keys(v, VERIFY_KEYS, "storlab io verify --json")   # no first_error: no error
    assert v["result"] == "pass", v
    assert (v["offset"], v["length"], v["bs"], v["queues"], v["passes"]) == (
        offset, length, bs, queues, passes), v
    assert (v["bad_sectors"], v["io_errors"], v["mismatches"]) == (0, 0, []), v
    assert v["reconnects"] == reconnects, v
    if not reconnects:   # a reconnect redoes a pass
        assert v["bytes_written"] == v["bytes_read"] == length * passes, v
    blocks = length // bs
    want = []
    for k in range(queues):
        n = len(range(k, blocks, queues))
        want.append({"queue": k, "requests": 2 * n * passes, "bytes": 2 * n * passes * bs})
    if not reconnects:
        assert v["per_queue"] == want, "per_queue %s, expected %s" % (v["per_queue"], want)
    return v


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

    def fails(self, status, *args):
        """Runs `storlab io ...` that the device must answer with STATUS (IOERR,
        UNSUPP): exit 1 and the status name on stderr (storlab(1))."""
        p = self(*args, rc=1)
        said = set(re.findall(r"\b(IOERR|UNSUPP)\b", p.stderr))
        assert said == {status}, "`storlab %s` reported %s, expected %s:\n%s" % (
            " ".join(map(str, args)), sorted(said) or "no status", status, p.stderr)
        return p

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

    def rpc_error(self, method, *args, code, says=None):
        """Calls METHOD, expects the error exit (1) and storlab(1)'s error line
        `storlab rpc: METHOD: error CODE: MESSAGE` with this CODE (and SAYS in
        the MESSAGE, if given). Returns the message."""
        p = self.rpc_run(method, *args, rc=1)
        m = re.search(r"^storlab rpc: %s: error (-?\d+): (.+)$" % re.escape(method), p.stderr,
                      re.M)
        assert m, "`storlab rpc %s` failed without its error line:\n%s" % (method, p.stderr)
        assert int(m.group(1)) == code, "`storlab rpc %s %s`: error %s, expected %d: %s" % (
            method, " ".join(map(str, args)), m.group(1), code, m.group(2))
        if says is not None:
            assert says in m.group(2), "error message %r does not say %r" % (m.group(2), says)
        return m.group(2)

    def stats(self, ctrl):
        """vhost_get_controller_stats -n CTRL: the one controller, shape checked."""
        r = self.rpc("vhost_get_controller_stats", "-n", ctrl)
        assert isinstance(r, list) and len(r) == 1, "vhost_get_controller_stats -n %s: %r" % (
            ctrl, r)
        return check_ctrl_stats(r[0], ctrl)

    def counters(self, ctrl):
        """Per queue, the flat counters of CTRL (see queue_counters)."""
        return [queue_counters(q) for q in self.stats(ctrl)["queues"]]

    def delta(self, ctrl, before):
        """Per queue, how far each counter moved since counters(CTRL) gave BEFORE."""
        now = self.counters(ctrl)
        assert len(now) == len(before), (before, now)
        return [{k: n[k] - b[k] for k in n} for n, b in zip(now, before)]

    def assert_delta(self, ctrl, before, expected, what="", timeout=2):
        """CTRL's counters moved since BEFORE by exactly EXPECTED ({queue:
        {counter: n}}, see assert_delta). A counter is added just after the used
        entry is published, so a client may end a hair before it: allow the
        counters TIMEOUT seconds to settle, then compare."""
        want = [zero_counters(**expected.get(i, {})) for i in range(len(before))]
        deadline = time.monotonic() + timeout
        while True:
            d = self.delta(ctrl, before)
            if d == want or time.monotonic() > deadline:
                break
            time.sleep(0.02)
        assert_delta(d, expected, what)

    def wait_log(self, pattern, timeout=10):
        """Waits for a line of the current run's log to match the regex PATTERN."""
        rx = re.compile(pattern, re.M)
        return wait_for(lambda: rx.search(self.log), timeout,
                        "storlab-tgt to log /%s/; log:\n%s" % (pattern, tail(self.log, 10)))

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
