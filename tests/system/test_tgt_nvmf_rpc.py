# SPDX-License-Identifier: MIT
"""storlab-tgt's NVMe subsystems over JSON-RPC, with SPDK's method names,
parameters and answers (`storlab rpc` takes rpc.py's arguments): transports,
subsystems and their namespaces over bdevs. What each refusal cites is the
rule of NVMe Base 2.1 it enforces (NQN format §4.7, printable SN/MN
§5.1.13.2.1, unique namespace identifiers §4.5.1)."""

NQN = "nqn.2019-07.io.spdk:cnode0"
INVALID_PARAMS = -32602
EEXIST, ENODEV, ENOENT, EBUSY = -17, -19, -2, -16


def subsystems(tgt):
    return {s["nqn"]: s for s in tgt.rpc("nvmf_get_subsystems")}


def test_subsystem_lifecycle(tgt):
    assert tgt.rpc("nvmf_get_transports") == []
    tgt.rpc("nvmf_create_transport", "-t", "VFIOUSER", "-q", "128", "-m", "4")
    [t] = tgt.rpc("nvmf_get_transports")
    assert t["trtype"] == "VFIOUSER"
    assert (t["max_queue_depth"], t["max_io_qpairs_per_ctrlr"]) == (128, 4)
    assert t["max_aq_depth"] == 32 and t["max_io_size"] == 131072  # SPDK's defaults

    tgt.rpc("bdev_malloc_create", "-b", "M0", "8", "512")
    tgt.rpc("bdev_malloc_create", "-b", "M1", "8", "4096")
    tgt.rpc("nvmf_create_subsystem", NQN, "-a", "-s", "SN0001", "-d", "storlab test model",
            "-m", "4")
    nsid = tgt.rpc("nvmf_subsystem_add_ns", NQN, "M0", "-g",
                   "0123456789abcdef0123456789ABCDEF", "-e", "0011223344556677", "-u",
                   "11111111-2222-3333-4444-555555555555")
    assert nsid == 1
    assert tgt.rpc("nvmf_subsystem_add_ns", NQN, "M1", "-n", "3") == 3

    s = subsystems(tgt)[NQN]
    assert s["subtype"] == "NVMe" and s["allow_any_host"] is True
    assert (s["serial_number"], s["model_number"]) == ("SN0001", "storlab test model")
    assert (s["max_namespaces"], s["min_cntlid"], s["max_cntlid"]) == (4, 1, 0xFFEF)
    ns = {n["nsid"]: n for n in s["namespaces"]}
    assert sorted(ns) == [1, 3]
    assert ns[1]["bdev_name"] == "M0"
    assert ns[1]["nguid"] == "0123456789ABCDEF0123456789ABCDEF"
    assert ns[1]["eui64"] == "0011223344556677"
    assert ns[1]["uuid"] == "11111111-2222-3333-4444-555555555555"
    # Without -u the namespace takes its bdev's UUID, as SPDK's does.
    [m1] = tgt.rpc("bdev_get_bdevs", "-b", "M1")
    assert ns[3]["uuid"] == m1["uuid"] and "nguid" not in ns[3]

    # A namespace keeps its bdev open.
    tgt.rpc_error("bdev_malloc_delete", "M1", code=EBUSY)
    tgt.rpc("nvmf_subsystem_remove_ns", NQN, "3")
    tgt.rpc("bdev_malloc_delete", "M1")
    assert [n["nsid"] for n in subsystems(tgt)[NQN]["namespaces"]] == [1]
    # The lowest free NSID comes next.
    tgt.rpc("bdev_malloc_create", "-b", "M2", "8", "512")
    assert tgt.rpc("nvmf_subsystem_add_ns", NQN, "M2") == 2

    tgt.rpc("nvmf_delete_subsystem", NQN)
    assert tgt.rpc("nvmf_get_subsystems") == []
    tgt.rpc("bdev_malloc_delete", "M0")
    tgt.rpc("bdev_malloc_delete", "M2")
    tgt.stop()


BAD_NQNS = [
    ("nqn.2019-13.io.spdk:x", "month"),
    ("nqn.19-07.io.spdk:x", "nqn.yyyy-mm."),
    ("iqn.2019-07.io.spdk:x", "nqn.yyyy-mm."),
    ("nqn.2019-07.9io.spdk:x", "reverse domain"),
    ("nqn.2019-07.io.spdk-:x", "reverse domain"),
    ("nqn.2019-07.io.sp dk", "reverse domain name may not hold"),
    ("nqn.2014-08.org.nvmexpress:uuid:1234", "UUID"),
    ("nqn.2019-07.io.spdk:" + "x" * 210, "223 bytes"),
    ("nqn.2014-08.org.nvmexpress.discovery", "discovery"),
]


def test_nqn_refused(tgt):
    for nqn, says in BAD_NQNS:
        tgt.rpc_error("nvmf_create_subsystem", nqn, code=INVALID_PARAMS, says=says)
    assert tgt.rpc("nvmf_get_subsystems") == []
    tgt.stop()


def test_refusals(tgt):
    tgt.rpc_error("nvmf_create_transport", "-t", "RDMA", code=INVALID_PARAMS, says="VFIOUSER")
    tgt.rpc_error("nvmf_create_transport", "-t", "VFIOUSER", "-q", "1", code=INVALID_PARAMS,
                  says="max_queue_depth")
    tgt.rpc_error("nvmf_create_transport", "-t", "VFIOUSER", "-i", "5000",
                  code=INVALID_PARAMS, says="multiple of 4096")
    tgt.rpc("nvmf_create_transport", "-t", "vfiouser")  # rpc.py users write either case
    tgt.rpc_error("nvmf_create_transport", "-t", "VFIOUSER", code=EEXIST)

    uuid_nqn = "nqn.2014-08.org.nvmexpress:uuid:" + "0f8fad5b-d9cb-469f-a165-70867728950e"
    tgt.rpc("nvmf_create_subsystem", uuid_nqn)
    s = subsystems(tgt)[uuid_nqn]
    assert (s["serial_number"], s["allow_any_host"], s["max_namespaces"]) == (
        "00000000000000000000", False, 32)
    tgt.rpc_error("nvmf_create_subsystem", uuid_nqn, code=EEXIST)
    tgt.rpc_error("nvmf_create_subsystem", NQN, "-s", "S" * 21, code=INVALID_PARAMS,
                  says="serial_number")
    tgt.rpc_error("nvmf_create_subsystem", NQN, "-d", "caf\u00e9", code=INVALID_PARAMS,
                  says="printable ASCII")
    tgt.rpc_error("nvmf_create_subsystem", NQN, "-m", "33", code=INVALID_PARAMS,
                  says="max_namespaces")
    tgt.rpc_error("nvmf_create_subsystem", NQN, "-i", "10", "-I", "5", code=INVALID_PARAMS,
                  says="max_cntlid")
    assert list(subsystems(tgt)) == [uuid_nqn]

    tgt.rpc("nvmf_create_subsystem", NQN, "-m", "2")
    tgt.rpc("bdev_malloc_create", "-b", "M0", "8", "512")
    tgt.rpc("bdev_malloc_create", "-b", "M1", "8", "512")
    tgt.rpc_error("nvmf_subsystem_add_ns", "nqn.2019-07.io.spdk:none", "M0", code=ENODEV)
    tgt.rpc_error("nvmf_subsystem_add_ns", NQN, "nobdev", code=ENODEV)
    tgt.rpc_error("nvmf_subsystem_add_ns", NQN, "M0", "-n", "3", code=INVALID_PARAMS,
                  says="max_namespaces")
    tgt.rpc_error("nvmf_subsystem_add_ns", NQN, "M0", "-g", "0123", code=INVALID_PARAMS,
                  says="nguid")
    tgt.rpc_error("nvmf_subsystem_add_ns", NQN, "M0", "-u", "not-a-uuid", code=INVALID_PARAMS,
                  says="uuid")
    assert tgt.rpc("nvmf_subsystem_add_ns", NQN, "M0", "-n", "2", "-e", "00000000000000AA") == 2
    tgt.rpc_error("nvmf_subsystem_add_ns", NQN, "M0", code=EEXIST, says="already backs")
    tgt.rpc_error("nvmf_subsystem_add_ns", NQN, "M1", "-n", "2", code=EEXIST)
    tgt.rpc_error("nvmf_subsystem_add_ns", NQN, "M1", "-e", "00000000000000aa", code=EEXIST,
                  says="EUI-64")
    tgt.rpc_error("nvmf_subsystem_remove_ns", NQN, "1", code=ENOENT)
    assert [n["nsid"] for n in subsystems(tgt)[NQN]["namespaces"]] == [2]
    # Shutting down with subsystems that hold bdevs: closed before the bdevs go.
    tgt.stop()
    assert "still open" not in tgt.log
