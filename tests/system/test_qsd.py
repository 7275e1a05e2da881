# SPDX-License-Identifier: MIT
"""Our initiator (`storlab io`) against a vhost-user-blk back-end we did not
write: qemu-storage-daemon. The image file under the export is a second,
independent path to check what was written."""

import os

from conftest import MiB, check_info, check_verify_pass, negotiated, offered

SIZE = 64 * MiB


def image_bytes(q, offset, length):
    with open(q.image, "rb") as f:
        f.seek(offset)
        return f.read(length)


def test_info(qsd, storlab):
    info = check_info(storlab.json("io", "info", qsd.uri, "--json"), qsd.uri)
    assert info["capacity"] == SIZE, info
    assert info["block_size"] == 512, info
    assert info["read_only"] is False, info
    assert info["queues"]["max"] == 2, info["queues"]
    cfg = info["config"]
    assert (cfg["capacity"], cfg["blk_size"], cfg["num_queues"]) == (SIZE // 512, 512, 2), cfg
    for f in ("VERSION_1", "MQ", "FLUSH", "DISCARD", "WRITE_ZEROES", "BLK_SIZE"):
        name = ("VIRTIO_F_" if f == "VERSION_1" else "VIRTIO_BLK_F_") + f
        assert name in negotiated(info), "feature %s not negotiated: %s" % (
            name, info["features"])
    assert "VIRTIO_BLK_F_RO" not in offered(info)


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
    v = storlab.json("io", "verify", qsd.uri, "--queues", 2, "--qd", 32, "--bs", 4096,
                     "--size", 16 * MiB, "--passes", 2, "--json", timeout=240)
    check_verify_pass(v, 2, 4096, 16 * MiB, 2)


def test_flush(qsd, storlab):
    storlab("io", "flush", qsd.uri)


def test_discard(qsd, storlab):
    off, length = 8 * MiB, 1 * MiB
    storlab("io", "write", qsd.uri, "--offset", off - 4096, "--length", length + 8192,
            "--pattern", "ff")
    storlab("io", "discard", qsd.uri, "--offset", off, "--length", length)
    # The export has discard=unmap: the range is a hole in the image now; the
    # neighbours keep their data.
    assert image_bytes(qsd, off, length) == bytes(length)
    assert image_bytes(qsd, off - 4096, 4096) == b"\xff" * 4096
    assert image_bytes(qsd, off + length, 4096) == b"\xff" * 4096


def test_write_zeroes(qsd, storlab, workdir):
    off, length = 12 * MiB, 1 * MiB
    for extra in ([], ["--unmap"]):
        storlab("io", "write", qsd.uri, "--offset", off - 4096, "--length", length + 8192,
                "--pattern", "3c")
        storlab("io", "write-zeroes", qsd.uri, "--offset", off, "--length", length, *extra)
        out = workdir / "z.bin"
        storlab("io", "read", qsd.uri, "--offset", off, "--length", length, "--output", out)
        assert out.read_bytes() == bytes(length), "write-zeroes %s left data" % extra
        assert image_bytes(qsd, off, length) == bytes(length)
        assert image_bytes(qsd, off - 4096, 4096) == b"\x3c" * 4096, extra
        assert image_bytes(qsd, off + length, 4096) == b"\x3c" * 4096, extra


def test_get_id(qsd, storlab):
    # qemu-storage-daemon's vhost-user-blk export answers GET_ID with this
    # fixed serial (the guest sees it in /sys/block/vda/serial too).
    p = storlab("io", "get-id", qsd.uri)
    assert p.stdout == "vhost_user_blk\n", p.stdout


def test_null_device_reads(qsd_factory, storlab, workdir):
    q = qsd_factory(null=True, size=1 << 30, num_queues=1)
    out = workdir / "n.bin"
    storlab("io", "read", q.uri, "--offset", 512 * MiB, "--length", 1 * MiB, "--output", out)
    assert out.stat().st_size == 1 * MiB
