# SPDX-License-Identifier: MIT
"""Our initiator (`storlab io`) against test peers (docs/peers.md):

  - rte_vhost_blk: a vhost-user-blk back-end on DPDK's rte_vhost, a protocol
    implementation we did not write;
  - bad_backend: our lib/vhost made to break one requirement per switch; here
    only a sanity check that it is correct without a switch and that a switch
    does break what it says.
"""

import re

from conftest import MiB, ROOT, check_info, check_verify_pass, negotiated, offered
from peers import bad_backend_factory, bad_backend_switches, rte_vhost_factory  # noqa: F401

SIZE = 64 * MiB

RTE_FEATURES = {"VIRTIO_F_VERSION_1", "VIRTIO_RING_F_INDIRECT_DESC", "VIRTIO_BLK_F_SEG_MAX",
                "VIRTIO_BLK_F_BLK_SIZE", "VIRTIO_BLK_F_FLUSH", "VIRTIO_BLK_F_MQ",
                "VHOST_USER_F_PROTOCOL_FEATURES"}
RTE_PROTOCOL_FEATURES = {"VHOST_USER_PROTOCOL_F_" + n for n in ("MQ", "REPLY_ACK", "CONFIG")}


def test_rte_info(rte_vhost_factory, storlab):
    p = rte_vhost_factory(size_mb=64, queues=2)
    info = check_info(storlab.json("io", "info", p.uri, "--json"), p.uri)
    # Exactly what the peer offers (rte_vhost_driver_set_features / _protocol_features).
    assert offered(info) == RTE_FEATURES, info["features"]
    assert negotiated(info) == RTE_FEATURES, info["features"]
    assert offered(info, "protocol_features") == RTE_PROTOCOL_FEATURES, info["protocol_features"]
    assert negotiated(info, "protocol_features") == RTE_PROTOCOL_FEATURES
    cfg = info["config"]
    assert (cfg["capacity"], cfg["blk_size"], cfg["seg_max"], cfg["num_queues"]) == (
        SIZE // 512, 512, 128, 2), cfg
    assert (info["capacity"], info["block_size"], info["read_only"]) == (SIZE, 512, False), info
    assert info["queues"]["max"] == 2, info["queues"]


def test_rte_io(rte_vhost_factory, storlab, workdir):
    p = rte_vhost_factory(size_mb=64, queues=2)
    off, length = 1 * MiB + 4096, 64 << 10
    storlab("io", "write", p.uri, "--offset", off, "--length", length, "--pattern", "a5")
    out = workdir / "r.bin"
    storlab("io", "read", p.uri, "--offset", off - 4096, "--length", length + 8192,
            "--output", out)
    assert out.read_bytes() == bytes(4096) + b"\xa5" * length + bytes(4096)

    v = storlab.json("io", "verify", p.uri, "--queues", 2, "--qd", 16, "--bs", 4096,
                     "--size", 8 * MiB, "--json", timeout=60)
    check_verify_pass(v, 2, 4096, 8 * MiB, 1)

    assert storlab("io", "get-id", p.uri).stdout == "rte_vhost_blk\n"
    storlab("io", "flush", p.uri)
    # The last sector is readable, the one after it is not.
    storlab("io", "read", p.uri, "--offset", SIZE - 512, "--length", 512, "--output", out)
    storlab.fails("IOERR", "io", "read", p.uri, "--offset", SIZE, "--length", 512,
                  "--output", out)


def test_bad_backend_sane(bad_backend_factory, storlab, workdir):
    p = bad_backend_factory()
    info = check_info(storlab.json("io", "info", p.uri, "--json"), p.uri)
    assert info["capacity"] == SIZE, info
    v = storlab.json("io", "verify", p.uri, "--queues", 2, "--qd", 16, "--bs", 4096,
                     "--size", 8 * MiB, "--json", timeout=60)
    check_verify_pass(v, 2, 4096, 8 * MiB, 1)
    storlab.fails("IOERR", "io", "read", p.uri, "--offset", SIZE, "--length", 4096,
                  "--output", workdir / "x.bin")


def test_bad_backend_wrong_status(bad_backend_factory, storlab, workdir):
    # The switch works: a read past the end, which storlab io must see as
    # IOERR, is answered OK.
    p = bad_backend_factory("wrong-status")
    storlab("io", "read", p.uri, "--offset", SIZE, "--length", 4096,
            "--output", workdir / "x.bin")


def test_bad_backend_switches_documented():
    doc = (ROOT / "docs" / "peers.md").read_text()
    table = set(re.findall(r"^\| `([a-z0-9-]+)` \|", doc, re.M))
    assert table == set(bad_backend_switches()), (
        "docs/peers.md and `bad_backend --list` disagree: only in the doc %s, only in the "
        "peer %s" % (sorted(table - set(bad_backend_switches())),
                     sorted(set(bad_backend_switches()) - table)))
