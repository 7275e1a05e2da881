# SPDX-License-Identifier: MIT
"""A real Linux guest (QEMU 7.2 vhost-user-blk-pci, the kernel's virtio_blk)
as the front-end of two disks in one boot: /dev/vda on qemu-storage-daemon
(proves the tooling), /dev/vdb on storlab-tgt. The guest writes each with
O_DIRECT, reads back and compares; after it is gone the host reads the same
range by another path and compares checksums. One boot (~6-10 s under TCG)
serves both tests, each of which checks its own back-end's disk."""

import hashlib
import shutil
import tempfile
from pathlib import Path

import pytest

from conftest import MiB, Qsd, Target, assert_no_san, requests_total
from tests.guest import MissingDependency, boot

OFFSET = 1 * MiB
LENGTH = 2 * MiB
QUEUES = 2

# One half written from each guest CPU: blk-mq maps CPU n to queue n, so both
# virtqueues carry I/O. conv=fsync adds a FLUSH.
# Each disk in turn; its results are named after it (vda_mq, vdb_sha256, ...).
GUEST_SCRIPT = r"""
for d in $DISKS; do
wait_dev /dev/$d 20
result ${{d}}_mq "$(ls /sys/block/$d/mq | wc -l)"
result ${{d}}_serial "$(cat /sys/block/$d/serial 2>/dev/null)"
result ${{d}}_sectors "$(cat /sys/block/$d/size)"
dd if=/dev/urandom of=/tmp/pat bs=64k count={blocks} 2>/dev/null || fail "no pattern"
half={half}
taskset 1 dd if=/tmp/pat of=/dev/$d bs=64k count=$half seek={seek} \
	oflag=direct conv=fsync,notrunc 2>/tmp/e0 &
p0=$!
taskset 2 dd if=/tmp/pat of=/dev/$d bs=64k count=$half skip=$half seek=$(({seek} + half)) \
	oflag=direct conv=fsync,notrunc 2>/tmp/e1 &
p1=$!
wait $p0 || {{ cat /tmp/e0; fail "$d: write from CPU 0"; }}
wait $p1 || {{ cat /tmp/e1; fail "$d: write from CPU 1"; }}
taskset 2 dd if=/dev/$d of=/tmp/back bs=64k count={blocks} skip={seek} iflag=direct \
	2>/tmp/e2 || {{ cat /tmp/e2; fail "$d: read back"; }}
cmp /tmp/pat /tmp/back || fail "$d: read-back differs from what was written"
result ${{d}}_sha256 "$(sha256sum /tmp/back | cut -d' ' -f1)"
done
""".format(blocks=LENGTH // (64 << 10), half=LENGTH // (128 << 10), seek=OFFSET // (64 << 10))


def boot_disks(socks, tmpdir):
    """Boots the guest on vhost-user-blk sockets SOCKS (vda, vdb, ...), 2
    queues each; {disk name: its results}."""
    names = ["vd" + chr(ord("a") + i) for i in range(len(socks))]
    try:
        run = boot("DISKS='%s'\n" % " ".join(names) + GUEST_SCRIPT,
                   vhost_user_blk=[(s, QUEUES) for s in socks], smp=QUEUES, timeout=200,
                   console_log=tmpdir / "console.log")
    except MissingDependency as e:
        pytest.fail(str(e), pytrace=False)
    run.check()
    return {n: {k[len(n) + 1:]: v for k, v in run.results.items() if k.startswith(n + "_")}
            for n in names}


def run_guest(sock, tmpdir):
    """One disk on SOCK: its results, checked as check_disk does."""
    results = boot_disks([sock], tmpdir)["vda"]
    check_disk(results)
    return results


@pytest.fixture(scope="module")
def guest():
    """One boot with two disks: vda on qemu-storage-daemon (64 MiB file),
    vdb on storlab-tgt (64 MiB malloc bdev), 2 queues each. Yields
    (qsd, tgt, {"vda": results, "vdb": results}); storlab-tgt must then
    stop cleanly (exit 0, no sanitizer report)."""
    d = Path(tempfile.mkdtemp(prefix="sl-", dir="/tmp"))
    q = tgt = None
    try:
        try:
            q = Qsd(d, size=64 * MiB, num_queues=QUEUES).wait_ready()
        except MissingDependency as e:
            pytest.fail(str(e), pytrace=False)
        (d / "t").mkdir()
        tgt = Target(d / "t").start()
        tgt.malloc("Malloc0", 64, 512)
        tgt.controller("vhost.0", "Malloc0", cpumask="0x3", num_queues=QUEUES)
        yield q, tgt, boot_disks([q.sock, tgt.sock("vhost.0")], d)
        tgt.stop()
        assert_no_san(tgt.all_logs(), "storlab-tgt")
    finally:
        if tgt:
            tgt.close()
        if q:
            q.stop()
        shutil.rmtree(d, ignore_errors=True)


def check_disk(results):
    assert results.get("mq") == str(QUEUES), (
        "the guest's /sys/block/vdX/mq has %s entries, expected %d"
        % (results.get("mq"), QUEUES))
    assert len(results.get("sha256", "")) == 64, results
    assert results["sectors"] == str(64 * MiB // 512)


def test_guest_on_qsd(guest):
    q, _, disks = guest
    run = disks["vda"]
    check_disk(run)
    # qemu-storage-daemon answers GET_ID with a fixed serial.
    assert run["serial"] == "vhost_user_blk"
    q.stop()
    # The host's own path: the image file under the export.
    with open(q.image, "rb") as f:
        f.seek(OFFSET)
        host = hashlib.sha256(f.read(LENGTH)).hexdigest()
    assert host == run["sha256"], "the image file differs from what the guest wrote"


def test_guest_on_tgt(guest, storlab, workdir):
    _, tgt, disks = guest
    run = disks["vdb"]
    check_disk(run)
    assert tgt.alive(), "storlab-tgt died while the guest ran:\n" + tgt.log

    queues = tgt.stats("vhost.0")["queues"]
    busy = [q for q in queues if requests_total(q) > 0]
    assert len(busy) == QUEUES, "the guest used %d queues of the target, expected %d: %s" % (
        len(busy), QUEUES, queues)
    # The guest wrote LENGTH bytes with O_DIRECT (and nothing else), without errors.
    assert sum(q["bytes_written"] for q in queues) == LENGTH, queues
    assert all(q["errors"] == 0 and q["malformed"] == 0 for q in queues), queues

    # The host's path: our initiator reads what the guest wrote, after QEMU left.
    out = workdir / "host.bin"
    storlab("io", "read", tgt.uri("vhost.0"), "--offset", OFFSET, "--length", LENGTH,
            "--output", out, timeout=120)
    host = hashlib.sha256(out.read_bytes()).hexdigest()
    assert host == run["sha256"], "storlab io read differs from what the guest wrote"
