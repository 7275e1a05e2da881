# SPDX-License-Identifier: MIT
"""storlab nvme identify / id-ns / get-log / get-feature against storlab-tgt's
vfio-user NVMe controller: the fields the RPCs configured come back, in both
output forms, and a status error is exit 1 with the status's name."""

import re

import pytest

NQN = "nqn.2019-07.io.spdk:cnode-cli"
SN, MN = "SNCLI0001", "storlab nvme cli test"
NGUID = "00112233445566778899AABBCCDDEEFF"
EUI64 = "0102030405060708"
BS, MIB = 512, 8
BLOCKS = MIB * 1024 * 1024 // BS


@pytest.fixture
def uri(tgt, tmp_path):
    d = tmp_path / "vfu"
    d.mkdir()
    tgt.rpc("nvmf_create_transport", "-t", "VFIOUSER")
    tgt.rpc("bdev_malloc_create", "-b", "M0", str(MIB), str(BS))
    tgt.rpc("nvmf_create_subsystem", NQN, "-a", "-s", SN, "-d", MN, "-m", "4")
    assert tgt.rpc("nvmf_subsystem_add_ns", NQN, "M0", "-g", NGUID, "-e", EUI64) == 1
    tgt.rpc("nvmf_subsystem_add_listener", NQN, "-t", "VFIOUSER", "-a", str(d), "-s", "0")
    return "nvme-vfio-user:%s/cntrl" % d


@pytest.fixture
def max_ns(tgt, uri):
    """NN (Base Figure 328: the largest NSID) is what the subsystem allows."""
    [s] = [s for s in tgt.rpc("nvmf_get_subsystems") if s["nqn"] == NQN]
    return s["max_namespaces"]


def fields(text):
    """nvme-cli's "name : value" lines as a dict."""
    return {m.group(1): m.group(2) for m in re.finditer(r"^(\w+)\s*: (.*)$", text, re.M)}


def test_identify(storlab, uri, max_ns):
    f = fields(storlab("nvme", "identify", uri).stdout)
    assert (f["sn"], f["mn"], f["subnqn"]) == (SN, MN, NQN)
    assert f["nn"] == str(max_ns) and f["sqes"] == "0x66" and f["cqes"] == "0x44"
    j = storlab.json("nvme", "identify", uri, "--output-format", "json")
    assert (j["sn"], j["mn"], j["subnqn"], j["nn"]) == (SN, MN, NQN, max_ns)
    assert j["vid"] == int(f["vid"], 16) and j["ver"] == int(f["ver"], 16)


def test_id_ns(storlab, uri):
    out = storlab("nvme", "id-ns", uri, "-n", "1").stdout
    f = fields(out)
    assert int(f["nsze"], 16) == BLOCKS and int(f["ncap"], 16) == BLOCKS
    assert f["nguid"] == NGUID.lower() and f["eui64"] == EUI64
    assert re.search(r"^lbaf  0 : ms:0 +lbads:9 +rp:0x0 \(in use\)$", out, re.M), out
    j = storlab.json("nvme", "id-ns", uri, "-o", "json")  # the first active namespace
    assert (j["nsze"], j["nguid"], j["eui64"]) == (BLOCKS, NGUID.lower(), EUI64.lower())
    assert j["lbafs"][j["flbas"] & 0xf] == {"ms": 0, "ds": 9, "rp": 0, "in_use": True}


def test_id_ns_status_error(storlab, uri, max_ns):
    # NVM CS §4.1.5.1: an inactive NSID in range is zeroed data
    assert fields(storlab("nvme", "id-ns", uri, "-n", "2").stdout)["nsze"] == "0x0"
    # out of range (past NN) is Invalid Namespace or Format: exit 1, its name
    p = storlab("nvme", "id-ns", uri, "-n", str(max_ns + 1), rc=1)
    assert "Invalid Namespace or Format" in p.stderr, p.stderr


def test_get_log_smart(storlab, uri):
    out = storlab("nvme", "get-log", uri, "--log-id", "2", "--log-len", "512").stdout
    assert out.count("\n") > 512 // 16
    assert re.search(r"^0000: ([0-9a-f]{2} ){16}", out, re.M), out
    j = storlab.json("nvme", "get-log", uri, "-i", "2", "-l", "512", "-o", "json")
    assert j["log_id"] == 2 and len(j["data"]) == 1024
    smart = bytes.fromhex(j["data"])
    assert j["smart"]["temperature"] == int.from_bytes(smart[1:3], "little")
    assert j["smart"]["avail_spare"] == smart[3]


def test_get_feature(storlab, uri):
    # Number of Queues (Base §5.2.26.1.7): NSQA / NCQA, 0's based
    out = storlab("nvme", "get-feature", uri, "-f", "7").stdout
    assert re.match(r"get-feature:0x07 \(Number of Queues\), Current value:0x[0-9a-f]{8}$",
                    out.strip()), out
    j = storlab.json("nvme", "get-feature", uri, "-f", "7", "-o", "json")
    assert j["value"] == int(out.strip()[-10:], 16) and j["name"] == "Number of Queues"


def test_usage(storlab, uri):
    assert "id-ns" in storlab("nvme", "--help").stdout
    assert "--log-len" in storlab("nvme", "get-log", "--help").stdout
    storlab("nvme", "get-log", uri, rc=2)  # --log-id missing
    storlab("nvme", "get-log", uri, "-i", "2", "-l", "6", rc=2)
    storlab("nvme", "identify", uri, "-f", "7", rc=2)  # not its option
    storlab("nvme", "identify", uri, "-o", "xml", rc=2)
    storlab("nvme", "frobnicate", uri, rc=2)


@pytest.fixture
def big_uri(tgt, tmp_path):
    """A controller whose MDTS allows 4 MiB: 1024 PRP entries, two list pages."""
    d = tmp_path / "vfu-big"
    d.mkdir()
    tgt.rpc("nvmf_create_transport", "-t", "VFIOUSER", "-i", str(4 << 20))
    tgt.rpc("bdev_malloc_create", "-b", "M0", "32", str(BS))
    tgt.rpc("nvmf_create_subsystem", NQN, "-a", "-s", SN, "-d", MN)
    tgt.rpc("nvmf_subsystem_add_ns", NQN, "M0")
    tgt.rpc("nvmf_subsystem_add_listener", NQN, "-t", "VFIOUSER", "-a", str(d), "-s", "0")
    return "nvme-vfio-user:%s/cntrl" % d


@pytest.mark.parametrize("sgl", [False, True])
def test_io_verify_4mib_transfers(storlab, big_uri, sgl):
    """Base §4.3.1 chained PRP lists, or §4.3.2 SGLs (--sgl): 4 MiB requests
    written with a stamped pattern, read back and compared."""
    flag = ("--sgl",) if sgl else ()
    nv = storlab.json("io", "info", big_uri, "--json", *flag)["nvme"]
    assert nv["max_transfer"] == 4 << 20
    assert nv["sgls"] & 3 and nv["sgl"] == sgl
    out = storlab("io", "verify", big_uri, "--size", "16M", "--bs", "4M", "--qd", "2",
                  *flag).stdout
    # four writes and four reads of 4 MiB each, every byte compared
    assert "queue 0: 8 requests, 32.0 MiB" in out, out
    assert "\nOK: written 16.0 MiB, read 16.0 MiB, 0 bad sector(s), 0 error(s)" in out, out


def io_interrupts(tgt):
    """The MSI-X interrupts the controller's I/O queues fired so far, over
    the reactors' poll groups (nvmf_get_stats)."""
    _, *reactors = tgt.rpc("nvmf_get_stats")["poll_groups"]
    return sum(t["interrupts"] for g in reactors for t in g["transports"])


def test_io_verify_interrupts(storlab, tgt, uri):
    """--interrupts: I/O CQs created with IEN 1, MSI-X vector 1 an eventfd
    (SET_IRQS) the queue sleeps on: the controller fires an interrupt for
    each completion of a verify one request at a time (no coalescing set),
    and none without the option."""
    nv = storlab.json("io", "info", uri, "--json", "--interrupts")["nvme"]
    assert nv["interrupts"] is True
    assert storlab.json("io", "info", uri, "--json")["nvme"]["interrupts"] is False
    before = io_interrupts(tgt)
    storlab("io", "verify", uri, "--size", "256k", "--bs", "4k", "--qd", "1")
    assert io_interrupts(tgt) == before
    out = storlab("io", "verify", uri, "--size", "1M", "--bs", "4k", "--qd", "1",
                  "--interrupts").stdout
    assert "queue 0: 512 requests, 2.0 MiB" in out, out
    assert "\nOK: written 1.0 MiB, read 1.0 MiB, 0 bad sector(s), 0 error(s)" in out, out
    assert io_interrupts(tgt) - before >= 512