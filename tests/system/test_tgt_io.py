# SPDX-License-Identifier: MIT
"""Our initiator (`storlab io`) against our target (storlab-tgt): every
backend, multiqueue across cores, every request type, bad requests, clients
that vanish mid-I/O, and a target restart under a running client.

The target's counters (vhost_get_controller_stats) are a second witness: each
test checks that they moved by exactly what the initiator says it sent."""

import json
import signal
import struct

import pytest

from conftest import (MiB, check_info, check_verify_pass, negotiated, offered,
                      requests_total, tail, wait_for)

VERIFY = dict(qd=32, bs=4096, size=16 * MiB)
SECTOR = 512
STAMP_MAGIC = 0x3142414c524f5453   # "STORLAB1", the magic of every verify stamp


def uring_file(workdir, size=64 * MiB, name="disk.img"):
    path = workdir / name
    with open(path, "wb") as f:
        f.truncate(size)
    return path


def assert_stamped(data, length, seq, seed):
    """Each sector of data[:length] holds verify's stamp for its LBA: (magic,
    LBA, the sequence number seq of the last pass, seed)."""
    for lba in range(length // SECTOR):
        got = struct.unpack_from("<4Q", data, lba * SECTOR)
        assert got == (STAMP_MAGIC, lba, seq, seed), "sector %d holds stamp %s" % (
            lba, [hex(x) for x in got])


def verify_args(uri, queues, qd, bs, size, passes):
    return ["io", "verify", uri, "--queues", queues, "--qd", qd, "--bs", bs, "--size", size,
            "--passes", passes, "--json"]


def verify(storlab, uri, queues, qd, bs, size, passes, timeout=240):
    """Runs `storlab io verify --json`; it must pass, with the documented
    split of blocks over queues. Returns the report."""
    v = storlab.json(*verify_args(uri, queues, qd, bs, size, passes), timeout=timeout)
    return check_verify_pass(v, queues, bs, size, passes)


def assert_stats_match_verify(tgt, ctrl, before, v):
    """The target saw, queue by queue, what verify says it sent: per queue as
    many reads as writes (one of each per block per pass), bs bytes each, and
    nothing else; queues verify did not use saw nothing."""
    expected = {}
    for pq in v["per_queue"]:
        n = pq["requests"] // 2
        expected[pq["queue"]] = dict(read=n, write=n, bytes_read=pq["bytes"] // 2,
                                     bytes_written=pq["bytes"] // 2)
    tgt.assert_delta(ctrl, before, expected, "by verify --queues %d" % v["queues"])


def wait_io(tgt, ctrl, client, baseline=0, timeout=30):
    """Waits until the target has served requests on ctrl beyond baseline
    (so the client is mid-I/O), failing if the client ended first."""

    def busy():
        ended = not client.alive()
        if sum(requests_total(q) for q in tgt.stats(ctrl)["queues"]) > baseline:
            return True
        if ended:
            raise AssertionError("the client ended (exit %s) before I/O was seen:\n%s\n%s"
                                 % (client.proc.returncode, tail(client.stdout),
                                    tail(client.stderr)))
        return False

    wait_for(busy, timeout, "requests on %s" % ctrl, interval=0.05)


def wait_idle(tgt, ctrl, timeout=15):
    """Waits until CTRL has no front-end, nothing in flight and no queue
    started (a queue stops on its reactor after the disconnect: "Threads of
    storlab-tgt"); then no queue is broken. Returns the stats."""

    def idle():
        c = tgt.stats(ctrl)
        if not c["connected"] and all(q["inflight"] == 0 and not q["started"]
                                      for q in c["queues"]):
            return c
        return None

    c = wait_for(idle, timeout, "%s to be disconnected, drained and stopped" % ctrl,
                 interval=0.05)
    for q in c["queues"]:
        assert not q["broken"], c
    return c


# ---- what the device says it is -------------------------------------------------------

# storlab-tgt(8), "THE VHOST-USER-BLK DEVICE".
TGT_FEATURES = {"VIRTIO_F_VERSION_1", "VIRTIO_RING_F_INDIRECT_DESC", "VIRTIO_RING_F_EVENT_IDX",
                "VHOST_USER_F_PROTOCOL_FEATURES", "VIRTIO_BLK_F_SEG_MAX",
                "VIRTIO_BLK_F_BLK_SIZE", "VIRTIO_BLK_F_TOPOLOGY", "VIRTIO_BLK_F_MQ",
                "VIRTIO_BLK_F_FLUSH", "VHOST_F_LOG_ALL"}
TGT_RW_FEATURES = {"VIRTIO_BLK_F_DISCARD", "VIRTIO_BLK_F_WRITE_ZEROES"}
TGT_PROTOCOL_FEATURES = {"VHOST_USER_PROTOCOL_F_" + n for n in (
    "MQ", "LOG_SHMFD", "REPLY_ACK", "CONFIG", "CONFIGURE_MEM_SLOTS", "RESET_DEVICE", "STATUS",
    "INFLIGHT_SHMFD")}


@pytest.mark.parametrize("size_mb,bs,queues,readonly", [
    (64, 512, 2, False), (32, 4096, 3, False), (16, 512, 1, True)],
    ids=["512", "4096", "readonly"])
def test_info(tgt, storlab, size_mb, bs, queues, readonly):
    tgt.malloc("Malloc0", size_mb, bs)
    uri = tgt.controller("vhost.0", "Malloc0", num_queues=queues, readonly=readonly)
    info = check_info(storlab.json("io", "info", uri, "--json"), uri)
    assert info["capacity"] == size_mb * MiB, info
    assert info["block_size"] == bs, info
    assert info["read_only"] is readonly, info
    assert info["queues"]["max"] == queues, info["queues"]
    assert offered(info) == TGT_FEATURES | ({"VIRTIO_BLK_F_RO"} if readonly else TGT_RW_FEATURES)
    assert offered(info, "protocol_features") == TGT_PROTOCOL_FEATURES
    assert ("VIRTIO_BLK_F_RO" in negotiated(info)) is readonly
    # The config space, field by field (fields of features not offered aside).
    per_block = bs // SECTOR
    largest = 0xffffffff // per_block * per_block   # whole blocks a u32 of sectors can say
    cfg = info["config"]
    want = dict(capacity=size_mb * MiB // SECTOR, seg_max=126, blk_size=bs,
                physical_block_exp=0, alignment_offset=0, min_io_size=1, opt_io_size=0,
                num_queues=queues)
    if not readonly:
        want.update(max_discard_sectors=largest, max_discard_seg=16,
                    discard_sector_alignment=per_block, max_write_zeroes_sectors=largest,
                    max_write_zeroes_seg=16, write_zeroes_may_unmap=0)
    assert {k: cfg[k] for k in want} == want, cfg


# ---- backends -------------------------------------------------------------------


def test_verify_malloc(tgt, storlab):
    tgt.malloc("Malloc0", 64, 512)
    uri = tgt.controller("vhost.0", "Malloc0", num_queues=2)
    before = tgt.counters("vhost.0")
    v = verify(storlab, uri, 2, passes=2, **VERIFY)
    assert_stats_match_verify(tgt, "vhost.0", before, v)


def test_verify_uring(tgt, storlab, workdir):
    img = uring_file(workdir)
    tgt.rpc("bdev_uring_create", img, "Uring0", 512)
    uri = tgt.controller("vhost.0", "Uring0", num_queues=2)
    before = tgt.counters("vhost.0")
    v = verify(storlab, uri, 2, passes=2, **VERIFY)
    assert_stats_match_verify(tgt, "vhost.0", before, v)
    # What the initiator wrote went to the file, each sector at its own LBA:
    # the stamp (magic, LBA, sequence number of the last pass, seed) is there.
    data = img.read_bytes()
    size = VERIFY["size"]
    assert_stamped(data, size, 2, int(v["seed"], 16))
    assert data[size:] == bytes(len(data) - size), "verify wrote past its range"


def test_write_read_uring_file(tgt, storlab, workdir):
    """The file under a uring bdev is a second path to the data."""
    img = uring_file(workdir)
    tgt.rpc("bdev_uring_create", img, "Uring0", 512)
    uri = tgt.controller("vhost.0", "Uring0")
    data = bytes(range(256)) * 1024 + bytes(range(255, -1, -1)) * 768   # 448 KiB, no repeats
    off = 3 * MiB
    (workdir / "w.bin").write_bytes(data)
    before = tgt.counters("vhost.0")
    storlab("io", "write", uri, "--offset", off, "--length", len(data),
            "--input", workdir / "w.bin")
    storlab("io", "flush", uri)
    tgt.assert_delta("vhost.0", before, {0: dict(write=1, flush=1, bytes_written=len(data))},
                     "by a write and a flush")
    with open(img, "rb") as f:
        f.seek(off - 4096)
        around = f.read(len(data) + 8192)
    assert around[4096:-4096] == data, "the file does not hold what was written"
    assert around[:4096] == around[-4096:] == bytes(4096), "the write spilled over"
    before = tgt.counters("vhost.0")
    storlab("io", "read", uri, "--offset", off, "--length", len(data),
            "--output", workdir / "r.bin")
    assert (workdir / "r.bin").read_bytes() == data
    tgt.assert_delta("vhost.0", before, {0: dict(read=1, bytes_read=len(data))})


def test_null_reads(tgt, storlab, workdir):
    tgt.rpc("bdev_null_create", "Null0", 1024, 512)
    uri = tgt.controller("vhost.0", "Null0")
    out = workdir / "n.bin"
    before = tgt.counters("vhost.0")
    storlab("io", "read", uri, "--offset", 512 * MiB, "--length", 2 * MiB, "--output", out)
    assert out.stat().st_size == 2 * MiB
    # storlab(1): requests of at most 1 MiB.
    tgt.assert_delta("vhost.0", before, {0: dict(read=2, bytes_read=2 * MiB)})


# ---- multiqueue across cores --------------------------------------------------------


@pytest.mark.parametrize("cpumask,queues,cores", [
    ("0x3", 4, [0, 1, 0, 1]), ("0x2", 2, [1, 1])], ids=["0x3", "0x2"])
def test_multiqueue_cores(tgt, storlab, cpumask, queues, cores):
    """storlab-tgt(8): queue i runs on the (i mod n)-th core of the cpumask."""
    tgt.malloc("Malloc0", 64, 512)
    uri = tgt.controller("vhost.0", "Malloc0", cpumask=cpumask, num_queues=queues)
    c = tgt.stats("vhost.0")
    assert c["bdev"] == "Malloc0" and c["connected"] is False, c
    assert [q["core"] for q in c["queues"]] == cores, json.dumps(c)
    before = tgt.counters("vhost.0")
    # 4093 blocks: not a multiple of the queues, so they do not all get the same share.
    v = verify(storlab, uri, queues, qd=16, bs=4096, size=16 * MiB - 3 * 4096, passes=1)
    assert_stats_match_verify(tgt, "vhost.0", before, v)
    assert [q["core"] for q in wait_idle(tgt, "vhost.0")["queues"]] == cores


# ---- every request type ---------------------------------------------------------------


@pytest.fixture
def malloc_ctrl(tgt):
    tgt.malloc("Malloc0", 64, 512)
    return tgt.controller("vhost.0", "Malloc0")


def read(storlab, uri, off, length, workdir):
    out = workdir / "r.bin"
    storlab("io", "read", uri, "--offset", off, "--length", length, "--output", out)
    return out.read_bytes()


def test_flush(tgt, malloc_ctrl, storlab):
    before = tgt.counters("vhost.0")
    storlab("io", "flush", malloc_ctrl)
    tgt.assert_delta("vhost.0", before, {0: dict(flush=1)})


def test_discard(tgt, malloc_ctrl, storlab, workdir):
    # What a discarded range reads back as is not defined; its neighbours are.
    storlab("io", "write", malloc_ctrl, "--offset", 0, "--length", 3 * MiB, "--pattern", "ff")
    before = tgt.counters("vhost.0")
    storlab("io", "discard", malloc_ctrl, "--offset", 1 * MiB, "--length", 1 * MiB)
    tgt.assert_delta("vhost.0", before, {0: dict(discard=1)})
    assert read(storlab, malloc_ctrl, 0, 1 * MiB, workdir) == b"\xff" * MiB
    assert read(storlab, malloc_ctrl, 2 * MiB, 1 * MiB, workdir) == b"\xff" * MiB


def test_write_zeroes(tgt, malloc_ctrl, storlab, workdir):
    off, length = 2 * MiB, 1 * MiB
    for extra in ([], ["--unmap"]):
        storlab("io", "write", malloc_ctrl, "--offset", off - 4096, "--length", length + 8192,
                "--pattern", "5a")
        assert read(storlab, malloc_ctrl, off, length, workdir) == b"\x5a" * length
        before = tgt.counters("vhost.0")
        storlab("io", "write-zeroes", malloc_ctrl, "--offset", off, "--length", length, *extra)
        tgt.assert_delta("vhost.0", before, {0: dict(write_zeroes=1)},
                         "by write-zeroes %s" % extra)
        got = read(storlab, malloc_ctrl, off - 4096, length + 8192, workdir)
        assert got[4096:-4096] == bytes(length), "write-zeroes %s left data" % extra
        assert got[:4096] == got[-4096:] == b"\x5a" * 4096, (
            "write-zeroes %s touched its neighbours" % extra)


@pytest.mark.parametrize("bdev,serial", [
    ("Malloc0", "Malloc0"),
    ("Disk-0123456789abcdefXYZ", "Disk-0123456789abcde")], ids=["short", "longer-than-20"])
def test_get_id(tgt, storlab, bdev, serial):
    # storlab-tgt(8): GET_ID answers the bdev's name, NUL-padded to 20 bytes
    # (virtio 1.2 §5.2.6); storlab io get-id prints it without the padding.
    tgt.malloc(bdev, 16, 512)
    uri = tgt.controller("vhost.0", bdev)
    before = tgt.counters("vhost.0")
    got = storlab("io", "get-id", uri).stdout
    assert got == serial + "\n", "get-id printed %r" % got
    tgt.assert_delta("vhost.0", before, {0: dict(get_id=1)})


# ---- bad requests --------------------------------------------------------------------

END = 64 * MiB


@pytest.mark.parametrize("bs,args,status,counter", [
    (512, ["read", "--offset", END - 4096, "--length", 8192, "--output", "/dev/null"],
     "IOERR", "read"),
    (512, ["write", "--offset", END, "--length", 4096, "--pattern", "aa"], "IOERR", "write"),
    (512, ["discard", "--offset", END - 4096, "--length", 8192], "IOERR", "discard"),
    (512, ["write-zeroes", "--offset", END, "--length", 4096], "IOERR", "write_zeroes"),
    (4096, ["read", "--offset", 512, "--length", 512, "--output", "/dev/null"], "IOERR", "read"),
    (4096, ["write-zeroes", "--offset", 1024, "--length", 4096], "IOERR", "write_zeroes"),
], ids=["read-past-end", "write-past-end", "discard-past-end", "write-zeroes-past-end",
        "read-partial-block", "write-zeroes-misaligned"])
def test_bad_request(tgt, storlab, bs, args, status, counter):
    """storlab-tgt(8): reads and writes must be whole blocks inside the capacity;
    discard/write-zeroes segments beyond it or not block-aligned get IOERR.
    Each is counted as an error and logged with the spec section."""
    tgt.malloc("Malloc0", END // MiB, bs)
    uri = tgt.controller("vhost.0", "Malloc0")
    before = tgt.counters("vhost.0")
    storlab.fails(status, "io", args[0], uri, *args[1:])
    tgt.assert_delta("vhost.0", before, {0: {counter: 1, "errors": 1}})
    tgt.wait_log(r"warn\s+vhost-blk: vhost\.0 queue 0: .*virtio 1\.2 §5\.2")
    # The queue is not broken by a bad request: the next good one is served.
    storlab("io", "read", uri, "--offset", 0, "--length", 4096, "--output", "/dev/null")
    assert tgt.stats("vhost.0")["queues"][0]["broken"] is False


def test_readonly(tgt, storlab, workdir):
    tgt.malloc("Malloc0", 64, 512)
    # Data written through a writable controller, then exported read-only.
    uri = tgt.controller("vhost.0", "Malloc0")
    storlab("io", "write", uri, "--offset", 0, "--length", 8192, "--pattern", "c3")
    tgt.rpc("vhost_delete_controller", "vhost.0")
    uri = tgt.controller("vhost.ro", "Malloc0", readonly=True)
    info = storlab.json("io", "info", uri, "--json")
    assert info["read_only"] is True, info
    assert "VIRTIO_BLK_F_RO" in negotiated(info), info["features"]
    before = tgt.counters("vhost.ro")
    storlab.fails("IOERR", "io", "write", uri, "--offset", 0, "--length", 4096, "--pattern", "aa")
    tgt.assert_delta("vhost.ro", before, {0: dict(write=1, errors=1)})
    # DISCARD and WRITE_ZEROES are not offered read-only: the device refuses them.
    before = tgt.counters("vhost.ro")
    storlab.fails("UNSUPP", "io", "discard", uri, "--offset", 0, "--length", 4096)
    storlab.fails("UNSUPP", "io", "write-zeroes", uri, "--offset", 0, "--length", 4096)
    tgt.assert_delta("vhost.ro", before, {0: dict(discard=1, write_zeroes=1, errors=2)})
    # Reads still work, and the data is untouched.
    before = tgt.counters("vhost.ro")
    assert read(storlab, uri, 0, 8192, workdir) == b"\xc3" * 8192
    tgt.assert_delta("vhost.ro", before, {0: dict(read=1, bytes_read=8192)})


# ---- clients that go away, a target that goes away --------------------------------------


def test_client_killed_mid_io(tgt, storlab):
    tgt.malloc("Malloc0", 256, 512)
    uri = tgt.controller("vhost.0", "Malloc0", cpumask="0x3", num_queues=2)
    big = storlab.bg("io", "verify", uri, "--queues", 2, "--qd", 32, "--bs", 65536,
                     "--size", 256 * MiB, "--passes", 100)
    wait_io(tgt, "vhost.0", big)
    c = tgt.stats("vhost.0")
    assert c["connected"] is True, c
    assert [q["started"] for q in c["queues"]] == [True, True], c
    big.kill(signal.SIGKILL)
    big.wait(30)
    assert tgt.alive(), "storlab-tgt died when its client was killed:\n" + tail(tgt.log)
    c = wait_idle(tgt, "vhost.0")
    assert all(q["errors"] == q["malformed"] == 0 for q in c["queues"]), c
    before = tgt.counters("vhost.0")
    v = verify(storlab, uri, 2, passes=1, **VERIFY)
    assert_stats_match_verify(tgt, "vhost.0", before, v)
    assert tgt.alive()


def test_target_restart_under_client(tgt, storlab, workdir):
    img = uring_file(workdir)

    def setup():
        tgt.rpc("bdev_uring_create", img, "Uring0", 512)
        return tgt.controller("vhost.0", "Uring0", num_queues=2)

    uri = setup()
    # Long enough (~2 s here, 20 passes) that the restart lands in the middle.
    v = storlab.bg(*verify_args(uri, 2, 16, 4096, 16 * MiB, 20), "--reconnect-timeout", 20)
    wait_io(tgt, "vhost.0", v)
    tgt.stop(signal.SIGTERM)       # exit 0, sockets removed, with a client attached
    assert v.alive(), "verify ended when the target stopped (exit %s):\n%s" % (
        v.proc.returncode, tail(v.stderr))
    tgt.start()
    setup()
    rc = v.wait(300)
    assert rc == 0, "verify across a target restart exited %d:\n%s" % (
        rc, tail(v.stdout + v.stderr))
    assert "reconnected after" in v.stderr, "verify did not report a reconnect:\n" + tail(
        v.stderr)
    report = json.loads(v.stdout)
    check_verify_pass(report, 2, 4096, 16 * MiB, 20, reconnects=1)
    # The new target served what verify sent after the reconnect, on both
    # queues: the rest of the interrupted phase (the requests verify had
    # queued are kept across the reconnect: storlab-tgt tracks what is in
    # flight, test_tgt_inflight.py), then whole passes.
    c = wait_idle(tgt, "vhost.0")
    for q in c["queues"]:
        r = q["requests"]
        assert r["read"] > 0 and r["write"] > 0 and q["errors"] == 0, c
    assert report["lost"] == 0, report


def test_two_controllers_isolated(tgt, storlab):
    tgt.malloc("Malloc0", 256, 512)
    tgt.malloc("Malloc1", 64, 512)
    uri0 = tgt.controller("vhost.0", "Malloc0", num_queues=2)
    uri1 = tgt.controller("vhost.1", "Malloc1", num_queues=2)
    victim = storlab.bg("io", "verify", uri0, "--queues", 2, "--qd", 32, "--bs", 65536,
                        "--size", 256 * MiB, "--passes", 100)
    wait_io(tgt, "vhost.0", victim)
    before1 = tgt.counters("vhost.1")
    other = storlab.bg(*verify_args(uri1, 2, VERIFY["qd"], VERIFY["bs"], VERIFY["size"], 20))
    wait_io(tgt, "vhost.1", other)
    victim.kill(signal.SIGKILL)
    victim.wait(30)
    rc = other.wait(300)
    assert rc == 0, "verify on vhost.1 failed when vhost.0's client was killed:\n%s" % (
        tail(other.stdout + other.stderr))
    v = check_verify_pass(json.loads(other.stdout), 2, VERIFY["bs"], VERIFY["size"], 20)
    # vhost.1's counters hold vhost.1's requests, and only those.
    assert_stats_match_verify(tgt, "vhost.1", before1, v)
    # And vhost.0 serves a new client.
    wait_idle(tgt, "vhost.0")
    before0 = tgt.counters("vhost.0")
    v = verify(storlab, uri0, 2, passes=1, **VERIFY)
    assert_stats_match_verify(tgt, "vhost.0", before0, v)
