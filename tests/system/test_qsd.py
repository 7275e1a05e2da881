# SPDX-License-Identifier: MIT
"""Our initiator (`storlab io`) against a vhost-user-blk back-end we did not
write: qemu-storage-daemon. The image file under the export is a second,
independent path to check what was written."""

import os

from conftest import MiB, has_feature, info_config

SIZE = 64 * MiB


def image_bytes(q, offset, length):
    with open(q.image, "rb") as f:
        f.seek(offset)
        return f.read(length)


def test_info(qsd, storlab):
    info = storlab.json("io", "info", qsd.uri, "--json")
    cfg = info_config(info)
    assert cfg["capacity"] == SIZE // 512, cfg
    assert cfg["num_queues"] == 2, cfg
    assert cfg["blk_size"] == 512, cfg
    for f in ("VERSION_1", "MQ", "FLUSH", "DISCARD", "WRITE_ZEROES", "BLK_SIZE"):
        assert has_feature(info, f), "feature %s missing: %s" % (f, info)
    assert not has_feature(info, "RO")


def test_write_read_pattern(qsd, storlab, workdir):
    off, length = 1 * MiB + 4096, 64 << 10
    storlab("io", "write", qsd.uri, "--offset", off, "--length", length, "--pattern", "a5")
    out = workdir / "r.bin"
    storlab("io", "read", qsd.uri, "--offset", off, "--length", length, "--output", out)
    assert out.read_bytes() == b"\xa5" * length
    assert image_bytes(qsd, off, length) == b"\xa5" * length
    # The bytes around the range are untouched.
    assert image_bytes(qsd, off - 4096, 4096) == bytes(4096)
    assert image_bytes(qsd, off + length, 4096) == bytes(4096)


def test_write_read_file(qsd, storlab, workdir):
    off, length = 4 * MiB, 128 << 10
    data = os.urandom(length)
    src = workdir / "w.bin"
    src.write_bytes(data)
    storlab("io", "write", qsd.uri, "--offset", off, "--length", length, "--input", src)
    assert image_bytes(qsd, off, length) == data
    out = workdir / "r.bin"
    storlab("io", "read", qsd.uri, "--offset", off, "--length", length, "--output", out)
    assert out.read_bytes() == data


def test_verify_multiqueue(qsd, storlab):
    storlab("io", "verify", qsd.uri, "--queues", 2, "--qd", 32, "--bs", 4096,
            "--size", 16 * MiB, "--passes", 2, timeout=240)


def test_flush(qsd, storlab):
    storlab("io", "flush", qsd.uri)


def test_discard(qsd, storlab):
    off, length = 8 * MiB, 1 * MiB
    storlab("io", "write", qsd.uri, "--offset", off, "--length", length, "--pattern", "ff")
    storlab("io", "discard", qsd.uri, "--offset", off, "--length", length)


def test_write_zeroes(qsd, storlab, workdir):
    off, length = 12 * MiB, 1 * MiB
    for extra in ([], ["--unmap"]):
        storlab("io", "write", qsd.uri, "--offset", off, "--length", length, "--pattern", "3c")
        storlab("io", "write-zeroes", qsd.uri, "--offset", off, "--length", length, *extra)
        out = workdir / "z.bin"
        storlab("io", "read", qsd.uri, "--offset", off, "--length", length, "--output", out)
        assert out.read_bytes() == bytes(length), "write-zeroes %s left data" % extra
        assert image_bytes(qsd, off, length) == bytes(length)


def test_get_id(qsd, storlab):
    # qemu-storage-daemon's vhost-user-blk export answers GET_ID with this
    # fixed serial (the guest sees it in /sys/block/vda/serial too).
    p = storlab("io", "get-id", qsd.uri)
    assert p.stdout.strip().strip('"') == "vhost_user_blk"


def test_null_device_reads(qsd_factory, storlab, workdir):
    q = qsd_factory(null=True, size=1 << 30, num_queues=1)
    out = workdir / "n.bin"
    storlab("io", "read", q.uri, "--offset", 512 * MiB, "--length", 1 * MiB, "--output", out)
    assert out.stat().st_size == 1 * MiB
