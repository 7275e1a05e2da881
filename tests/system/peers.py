# SPDX-License-Identifier: MIT
"""Fixtures for the test peers built from tests/peers/ (docs/peers.md).

    rte_vhost_factory(size_mb=64, queues=2, file=None, delay_us=0, inflight=False)
        -> a running rte_vhost_blk
    rte_vhost_scsi_factory(*targets, queues=2, delay_us=0, inflight=False)
        -> a running rte_vhost_scsi with those --target SPECs
    bad_backend_factory(*breaks, size_mb=64, queues=2, readonly=False)
        -> a running bad_backend with those --break switches

Each peer is a process with .sock, .uri, .log; .kill_restart() crashes it
(SIGKILL) and starts it again on the same socket. A factory stops every peer
it started at teardown with SIGTERM, and checks that it exited 0, with no
sanitizer report and no socket file left behind. Import the fixtures into a
test module (`from peers import rte_vhost_factory  # noqa: F401`).
"""

import os
import shutil
import signal
import subprocess

import pytest

from conftest import BUILD, Bg, assert_no_san, need_binary, tail, wait_for

PEER_DIR = BUILD / "bin" / "peers"
READY = "ready"


def need_libdpdk():
    """DPDK is a hard dependency of the rte_vhost peer: fail (never skip)
    naming the Debian package when it is missing."""
    if shutil.which("pkg-config") is None or subprocess.run(
            ["pkg-config", "--exists", "libdpdk"]).returncode != 0:
        pytest.fail("DPDK is not installed: the rte_vhost_blk peer needs libdpdk-dev "
                    "(apt-get install libdpdk-dev pkg-config; then rebuild)", pytrace=False)


def eal_rundir(pid):
    """The runtime directory DPDK's EAL made for the rte_vhost_blk of that pid
    (its --file-prefix is rvb<pid>): under /var/run/dpdk for root, else
    under $XDG_RUNTIME_DIR or /tmp (EAL's eal_create_runtime_dir)."""
    base = "/var/run" if os.getuid() == 0 else os.environ.get("XDG_RUNTIME_DIR", "/tmp")
    return os.path.join(base, "dpdk", "rvb%d" % pid)


class Peer:
    """A test peer process listening on a vhost-user socket."""

    def __init__(self, name, workdir, args, tag):
        self.name = name
        self.workdir = workdir
        self.tag = tag
        self.binary = need_binary(PEER_DIR / name)
        self.sock = str(workdir / (tag + ".sock"))
        self.uri = ("vhost-user-scsi:" if name.endswith("scsi") else "vhost-user-blk:") + \
            self.sock
        self.past_logs = []
        self.bg = Bg([self.binary, "--socket", self.sock] + [str(a) for a in args], workdir, tag)
        wait_for(self._ready, 20, "%s to print %r" % (name, READY))

    @property
    def log(self):
        """What every process of this peer printed, the killed ones first."""
        return "".join(self.past_logs) + self.bg.stdout + self.bg.stderr

    def kill_restart(self):
        """A crash: SIGKILL (nothing drained, no goodbye), then the same
        command again, on the same socket (and backing file, if any)."""
        old = self.bg
        assert old.alive(), "%s died before the kill (exit %s):\n%s" % (
            self.name, old.proc.returncode, tail(self.log))
        old.kill(signal.SIGKILL)
        old.wait(20)
        self.past_logs.append(old.stdout + old.stderr)
        old.close()
        if self.name.startswith("rte_vhost"):
            # The peer removes its (empty) EAL directory at exit; killed, it
            # cannot.
            shutil.rmtree(eal_rundir(old.pid), ignore_errors=True)
        self.bg = Bg(old.argv, self.workdir, "%s-restart%d" % (self.tag, len(self.past_logs)))
        wait_for(self._ready, 20, "%s to restart" % self.name)

    def _ready(self):
        if not self.bg.alive():
            rc = self.bg.proc.returncode
            hint = " (built without libdpdk-dev: install it and rebuild)" if rc == 3 else ""
            raise AssertionError("%s exited %s before it was ready%s:\n%s"
                                 % (self.name, rc, hint, tail(self.log)))
        return READY in self.bg.stdout.split() and os.path.exists(self.sock)

    def hotplug(self, plug):
        """rte_vhost_scsi: plugs (True) or unplugs its hotplug targets and
        waits until its log says it did (SIGUSR1 / SIGUSR2)."""
        word = "plugged" if plug else "unplugged"
        before = self.log.count(" " + word)
        self.bg.kill(signal.SIGUSR1 if plug else signal.SIGUSR2)
        wait_for(lambda: self.log.count(" " + word) > before, 10,
                 "%s to say a target was %s" % (self.name, word))

    def stop(self):
        assert self.bg.alive(), "%s died (exit %s):\n%s" % (self.name, self.bg.proc.returncode,
                                                          tail(self.log))
        self.bg.kill(signal.SIGTERM)
        rc = self.bg.wait(20)
        assert_no_san(self.log, self.name)
        assert rc == 0, "%s exited %d on SIGTERM:\n%s" % (self.name, rc, tail(self.log))
        assert not os.path.exists(self.sock), "%s left %s behind" % (self.name, self.sock)

    def close(self):
        self.bg.close()


def _factory(workdir, make):
    made = []

    def start(*a, **kw):
        p = make(len(made), *a, **kw)
        made.append(p)
        return p

    yield start
    try:
        for p in made:
            if p.bg.alive():
                p.stop()
            else:
                assert_no_san(p.log, p.name)
    finally:
        for p in made:
            p.close()


@pytest.fixture
def rte_vhost_factory(workdir):
    """rte_vhost_factory(size_mb=64, queues=2, file=None, delay_us=0,
    inflight=False): DPDK rte_vhost_blk (a peer we did not write, as far as
    the vhost-user protocol goes). file: the disk is that file (size_mb is
    then not used); delay_us: each request is held that long before it
    completes; inflight: it offers INFLIGHT_SHMFD and tracks requests in
    rte_vhost's in-flight region (docs/peers.md)."""
    need_libdpdk()

    def make(n, size_mb=64, queues=2, file=None, delay_us=0, inflight=False):
        args = ["--file", file] if file else ["--size", size_mb]
        args += ["--queues", queues, "--delay-us", delay_us]
        if inflight:
            args.append("--inflight")
        return Peer("rte_vhost_blk", workdir, args, "rte%d" % n)

    yield from _factory(workdir, make)


@pytest.fixture
def rte_vhost_scsi_factory(workdir):
    """rte_vhost_scsi_factory(*targets, queues=2, delay_us=0, inflight=False):
    DPDK rte_vhost_scsi with its own SCSI emulation; each target is a
    --target SPEC ("ID,size=MB" or "ID,file=PATH", then ",bs=", ",serial=",
    ",hotplug"); queues: request queues (docs/peers.md). .hotplug(True)
    plugs its hotplug targets in (SIGUSR1), .hotplug(False) unplugs them."""
    need_libdpdk()

    def make(n, *targets, queues=2, delay_us=0, inflight=False):
        args = []
        for t in targets:
            args += ["--target", t]
        args += ["--queues", queues, "--delay-us", delay_us]
        if inflight:
            args.append("--inflight")
        return Peer("rte_vhost_scsi", workdir, args, "rvs%d" % n)

    yield from _factory(workdir, make)


@pytest.fixture
def bad_backend_factory(workdir):
    """bad_backend_factory(*breaks, size_mb=64, queues=2, readonly=False, extra=()).
    extra: more bad_backend options, as a switch's "args" names them."""

    def make(n, *breaks, size_mb=64, queues=2, readonly=False, extra=()):
        args = ["--size", size_mb, "--queues", queues] + list(extra)
        if readonly:
            args.append("--readonly")
        for b in breaks:
            args += ["--break", b]
        return Peer("bad_backend", workdir, args, "bad%d" % n)

    yield from _factory(workdir, make)


def bad_backend_switches():
    """The switch names `bad_backend --list` prints (its one table)."""
    p = subprocess.run([str(need_binary(PEER_DIR / "bad_backend")), "--list"],
                       capture_output=True, text=True, timeout=10)
    assert p.returncode == 0, p.stderr
    return [l.split()[0] for l in p.stdout.splitlines() if l.strip()]
