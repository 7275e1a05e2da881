# SPDX-License-Identifier: MIT
"""Our initiator (`storlab io`) against our target (storlab-tgt): every
backend, multiqueue across cores, every request type, bad requests, clients
that vanish mid-I/O, and a target restart under a running client."""

import json
import os
import signal

import pytest

from conftest import (MiB, info_config, queue_core, queue_requests, stats_queues, stats_total,
                      tail, wait_for)

VERIFY = ["--qd", 32, "--bs", 4096, "--size", 16 * MiB]


def uring_file(workdir, size=64 * MiB, name="disk.img"):
    path = workdir / name
    with open(path, "wb") as f:
        f.truncate(size)
    return path


def wait_io(tgt, ctrl, client, baseline=0, timeout=30):
    """Waits until the target has served requests on ctrl beyond baseline
    (so the client is mid-I/O), failing if the client ended first."""

    def busy():
        ended = not client.alive()
        if stats_total(tgt.rpc("vhost_get_controller_stats", "-n", ctrl)) > baseline:
            return True
        if ended:
            raise AssertionError("the client ended (exit %s) before I/O was seen:\n%s\n%s"
                                 % (client.proc.returncode, tail(client.stdout),
                                    tail(client.stderr)))
        return False

    wait_for(busy, timeout, "requests on %s" % ctrl, interval=0.05)


# ---- backends -------------------------------------------------------------------


def test_info(tgt, storlab):
    tgt.malloc("Malloc0", 64, 512)
    uri = tgt.controller("vhost.0", "Malloc0", num_queues=2)
    cfg = info_config(storlab.json("io", "info", uri, "--json"))
    assert cfg["capacity"] == 64 * MiB // 512, cfg
    assert cfg["blk_size"] == 512, cfg
    assert cfg["num_queues"] == 2, cfg


def test_verify_malloc(tgt, storlab):
    tgt.malloc("Malloc0", 64, 512)
    uri = tgt.controller("vhost.0", "Malloc0", num_queues=2)
    storlab("io", "verify", uri, "--queues", 2, *VERIFY, "--passes", 2, timeout=240)


def test_verify_uring(tgt, storlab, workdir):
    img = uring_file(workdir)
    tgt.rpc("bdev_uring_create", img, "Uring0", 512)
    uri = tgt.controller("vhost.0", "Uring0", num_queues=2)
    storlab("io", "verify", uri, "--queues", 2, *VERIFY, "--passes", 2, timeout=240)
    # What the initiator wrote went to the file: it is not all zeroes any more.
    with open(img, "rb") as f:
        assert f.read(1 * MiB) != bytes(1 * MiB)


def test_write_read_uring_file(tgt, storlab, workdir):
    """The file under a uring bdev is a second path to the data."""
    img = uring_file(workdir)
    tgt.rpc("bdev_uring_create", img, "Uring0", 512)
    uri = tgt.controller("vhost.0", "Uring0")
    data = os.urandom(256 << 10)
    (workdir / "w.bin").write_bytes(data)
    storlab("io", "write", uri, "--offset", 3 * MiB, "--length", len(data),
            "--input", workdir / "w.bin")
    storlab("io", "flush", uri)
    with open(img, "rb") as f:
        f.seek(3 * MiB)
        assert f.read(len(data)) == data
    storlab("io", "read", uri, "--offset", 3 * MiB, "--length", len(data),
            "--output", workdir / "r.bin")
    assert (workdir / "r.bin").read_bytes() == data


def test_null_reads(tgt, storlab, workdir):
    tgt.rpc("bdev_null_create", "Null0", 1024, 512)
    uri = tgt.controller("vhost.0", "Null0")
    out = workdir / "n.bin"
    storlab("io", "read", uri, "--offset", 512 * MiB, "--length", 1 * MiB, "--output", out)
    assert out.stat().st_size == 1 * MiB


# ---- multiqueue across cores --------------------------------------------------------


def test_multiqueue_two_cores(tgt, storlab):
    tgt.malloc("Malloc0", 64, 512)
    uri = tgt.controller("vhost.0", "Malloc0", cpumask="0x3", num_queues=4)
    storlab("io", "verify", uri, "--queues", 4, "--qd", 16, "--bs", 4096, "--size", 16 * MiB,
            "--passes", 1, timeout=240)
    stats = tgt.rpc("vhost_get_controller_stats", "-n", "vhost.0")
    queues = stats_queues(stats)
    assert len(queues) == 4, "expected 4 queues in %s" % json.dumps(stats)
    busy = [q for q in queues if queue_requests(q) > 0]
    assert len(busy) == 4, "verify --queues 4 left queues idle: %s" % json.dumps(stats)
    cores = {queue_core(q) for q in busy}
    assert cores == {0, 1}, "queues of a 0x3 controller on cores %s: %s" % (cores,
                                                                           json.dumps(stats))


# ---- every request type ---------------------------------------------------------------


@pytest.fixture
def malloc_ctrl(tgt):
    tgt.malloc("Malloc0", 64, 512)
    return tgt.controller("vhost.0", "Malloc0")


def test_flush(malloc_ctrl, storlab):
    storlab("io", "flush", malloc_ctrl)


def test_discard(malloc_ctrl, storlab):
    storlab("io", "write", malloc_ctrl, "--offset", 0, "--length", 1 * MiB, "--pattern", "ff")
    storlab("io", "discard", malloc_ctrl, "--offset", 0, "--length", 1 * MiB)


def test_write_zeroes(malloc_ctrl, storlab, workdir):
    off, length = 2 * MiB, 1 * MiB
    for extra in ([], ["--unmap"]):
        storlab("io", "write", malloc_ctrl, "--offset", off, "--length", length,
                "--pattern", "5a")
        out = workdir / "before.bin"
        storlab("io", "read", malloc_ctrl, "--offset", off, "--length", length, "--output", out)
        assert out.read_bytes() == b"\x5a" * length
        storlab("io", "write-zeroes", malloc_ctrl, "--offset", off, "--length", length, *extra)
        out = workdir / "after.bin"
        storlab("io", "read", malloc_ctrl, "--offset", off, "--length", length, "--output", out)
        assert out.read_bytes() == bytes(length), "write-zeroes %s left data" % extra


def test_get_id(malloc_ctrl, storlab):
    # storlab-tgt(8): GET_ID answers the bdev's name, NUL-padded to 20 bytes
    # (virtio 1.2 §5.2.6); storlab io get-id prints it without the padding.
    got = storlab("io", "get-id", malloc_ctrl).stdout
    assert got.strip() == "Malloc0", "get-id printed %r" % got


# ---- bad requests --------------------------------------------------------------------


def test_read_past_end(malloc_ctrl, storlab):
    p = storlab("io", "read", malloc_ctrl, "--offset", 64 * MiB - 4096, "--length", 8192,
                "--output", "/dev/null", rc=1)
    assert "IOERR" in p.stderr, p.stderr


def test_write_readonly(tgt, storlab):
    tgt.malloc("Malloc0", 64, 512)
    uri = tgt.controller("vhost.ro", "Malloc0", readonly=True)
    p = storlab("io", "write", uri, "--offset", 0, "--length", 4096, "--pattern", "aa", rc=1)
    assert "IOERR" in p.stderr, p.stderr
    # Reads still work.
    storlab("io", "read", uri, "--offset", 0, "--length", 4096, "--output", "/dev/null")


# ---- clients that go away, a target that goes away --------------------------------------


def test_client_killed_mid_io(tgt, storlab):
    tgt.malloc("Malloc0", 256, 512)
    uri = tgt.controller("vhost.0", "Malloc0", cpumask="0x3", num_queues=2)
    big = storlab.bg("io", "verify", uri, "--queues", 2, "--qd", 32, "--bs", 65536,
                     "--size", 256 * MiB, "--passes", 100)
    wait_io(tgt, "vhost.0", big)
    big.kill(signal.SIGKILL)
    big.wait(30)
    assert tgt.alive(), "storlab-tgt died when its client was killed:\n" + tail(tgt.log)
    storlab("io", "verify", uri, "--queues", 2, *VERIFY, "--passes", 1, timeout=240)
    assert tgt.alive()
    tgt.rpc("vhost_get_controllers", "-n", "vhost.0")


def test_target_restart_under_client(tgt, storlab, workdir):
    img = uring_file(workdir)

    def setup():
        tgt.rpc("bdev_uring_create", img, "Uring0", 512)
        return tgt.controller("vhost.0", "Uring0", num_queues=2)

    uri = setup()
    # Long enough (~2 s here, 20 passes) that the restart lands in the middle.
    v = storlab.bg("io", "verify", uri, "--queues", 2, "--qd", 16, "--bs", 4096,
                   "--size", 16 * MiB, "--passes", 20, "--reconnect-timeout", 20)
    wait_io(tgt, "vhost.0", v)
    tgt.stop(signal.SIGTERM)       # exit 0, sockets removed, with a client attached
    assert v.alive(), "verify ended when the target stopped (exit %s):\n%s" % (
        v.proc.returncode, tail(v.stderr))
    tgt.start()
    setup()
    rc = v.wait(300)
    out = v.stdout + v.stderr
    assert rc == 0, "verify across a target restart exited %d:\n%s" % (rc, tail(out))
    assert "reconnected" in out, "verify did not report a reconnect:\n" + tail(out)


def test_two_controllers_isolated(tgt, storlab):
    tgt.malloc("Malloc0", 256, 512)
    tgt.malloc("Malloc1", 64, 512)
    uri0 = tgt.controller("vhost.0", "Malloc0", num_queues=2)
    uri1 = tgt.controller("vhost.1", "Malloc1", num_queues=2)
    victim = storlab.bg("io", "verify", uri0, "--queues", 2, "--qd", 32, "--bs", 65536,
                        "--size", 256 * MiB, "--passes", 100)
    wait_io(tgt, "vhost.0", victim)
    other = storlab.bg("io", "verify", uri1, "--queues", 2, *VERIFY, "--passes", 20)
    wait_io(tgt, "vhost.1", other)
    victim.kill(signal.SIGKILL)
    victim.wait(30)
    rc = other.wait(300)
    assert rc == 0, "verify on vhost.1 failed when vhost.0's client was killed:\n%s" % (
        tail(other.stdout + other.stderr))
    # And vhost.0 serves a new client.
    storlab("io", "verify", uri0, "--queues", 2, *VERIFY, "--passes", 1, timeout=240)
