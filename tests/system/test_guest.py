# SPDX-License-Identifier: MIT
"""A real Linux guest (QEMU 7.2 vhost-user-blk-pci, the kernel's virtio_blk)
as the front-end: first against qemu-storage-daemon (proves the tooling),
then against storlab-tgt. The guest writes with O_DIRECT, reads back and
compares; after it is gone the host reads the same range by another path and
compares checksums. ~6-10 s per boot under TCG."""

import hashlib

import pytest

from conftest import MiB, requests_total
from tests.guest import MissingDependency, boot

OFFSET = 1 * MiB
LENGTH = 2 * MiB
QUEUES = 2

# One half written from each guest CPU: blk-mq maps CPU n to queue n, so both
# virtqueues carry I/O. conv=fsync adds a FLUSH.
GUEST_SCRIPT = r"""
wait_dev /dev/vda 20
result mq "$(ls /sys/block/vda/mq | wc -l)"
result serial "$(cat /sys/block/vda/serial 2>/dev/null)"
result sectors "$(cat /sys/block/vda/size)"
dd if=/dev/urandom of=/tmp/pat bs=64k count={blocks} 2>/dev/null || fail "no pattern"
half={half}
taskset 1 dd if=/tmp/pat of=/dev/vda bs=64k count=$half seek={seek} \
	oflag=direct conv=fsync,notrunc 2>/tmp/e0 &
p0=$!
taskset 2 dd if=/tmp/pat of=/dev/vda bs=64k count=$half skip=$half seek=$(({seek} + half)) \
	oflag=direct conv=fsync,notrunc 2>/tmp/e1 &
p1=$!
wait $p0 || {{ cat /tmp/e0; fail "write from CPU 0"; }}
wait $p1 || {{ cat /tmp/e1; fail "write from CPU 1"; }}
taskset 2 dd if=/dev/vda of=/tmp/back bs=64k count={blocks} skip={seek} iflag=direct \
	2>/tmp/e2 || {{ cat /tmp/e2; fail "read back"; }}
cmp /tmp/pat /tmp/back || fail "read-back differs from what was written"
result sha256 "$(sha256sum /tmp/back | cut -d' ' -f1)"
""".format(blocks=LENGTH // (64 << 10), half=LENGTH // (128 << 10), seek=OFFSET // (64 << 10))


def run_guest(sock, tmpdir):
    try:
        run = boot(GUEST_SCRIPT, vhost_user_blk=[(sock, QUEUES)], smp=QUEUES, timeout=150,
                   console_log=tmpdir / "console.log")
    except MissingDependency as e:
        pytest.fail(str(e), pytrace=False)
    run.check()
    assert run.results.get("mq") == str(QUEUES), (
        "the guest's /sys/block/vda/mq has %s entries, expected %d"
        % (run.results.get("mq"), QUEUES))
    assert len(run.results.get("sha256", "")) == 64, run.tail()
    return run


def test_guest_on_qsd(qsd_factory, workdir):
    q = qsd_factory(size=64 * MiB, num_queues=QUEUES)
    run = run_guest(q.sock, workdir)
    assert run.results["sectors"] == str(64 * MiB // 512)
    # qemu-storage-daemon answers GET_ID with a fixed serial.
    assert run.results["serial"] == "vhost_user_blk"
    q.stop()
    # The host's own path: the image file under the export.
    with open(q.image, "rb") as f:
        f.seek(OFFSET)
        host = hashlib.sha256(f.read(LENGTH)).hexdigest()
    assert host == run.results["sha256"], "the image file differs from what the guest wrote"


def test_guest_on_tgt(tgt, storlab, workdir):
    tgt.malloc("Malloc0", 64, 512)
    uri = tgt.controller("vhost.0", "Malloc0", cpumask="0x3", num_queues=QUEUES)
    run = run_guest(tgt.sock("vhost.0"), workdir)
    assert run.results["sectors"] == str(64 * MiB // 512)
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
    storlab("io", "read", uri, "--offset", OFFSET, "--length", LENGTH, "--output", out,
            timeout=120)
    host = hashlib.sha256(out.read_bytes()).hexdigest()
    assert host == run.results["sha256"], "storlab io read differs from what the guest wrote"
