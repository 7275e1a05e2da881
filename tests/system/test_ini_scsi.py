# SPDX-License-Identifier: MIT
"""Our initiator's vhost-user-scsi transport (`vhost-user-scsi:` URIs, virtio
1.2 §5.6) against storlab-tgt's vhost-user-scsi controllers: `storlab io
verify` and a pattern written and read back on a LUN of each block size,
`storlab io info` listing the targets and LUNs the scan found with their
sizes and ids, the neutral commands as SCSI ones, a task management
function through the API (`storlab io tmf`), and a CHECK CONDITION
decoded into its sense key."""

import json
import os
import subprocess

from conftest import CLI_BIN, MiB, assert_no_san, check_verify_pass, need_binary, wait_for

CTRL = "scsi0"


def rpc_json(tgt, method, params):
    return tgt.rpc(method, json.dumps(params))


def make_controller(tgt, num_queues=2):
    """Target 0: Malloc0, 8 MiB of 512-byte blocks; target 2: Malloc1,
    4 MiB of 4096-byte blocks. Returns the URI without options."""
    tgt.malloc("Malloc0", 8, 512)
    tgt.malloc("Malloc1", 4, 4096)
    rpc_json(tgt, "vhost_create_scsi_controller", {"ctrlr": CTRL, "num_queues": num_queues})
    wait_for(lambda: os.path.exists(tgt.sock(CTRL)), 10, "socket %s" % tgt.sock(CTRL))
    for target, bdev in ((0, "Malloc0"), (2, "Malloc1")):
        assert rpc_json(tgt, "vhost_scsi_controller_add_target",
                        {"ctrlr": CTRL, "scsi_target_num": target, "bdev_name": bdev}) == target
    return "vhost-user-scsi:" + tgt.sock(CTRL)


def test_info_lists_targets_and_luns(tgt, storlab):
    uri = make_controller(tgt)
    info = storlab.json("io", "info", uri, "--json")
    assert info["transport"] == "vhost-user-scsi"
    # Without options the first disk takes the I/O: target 0.
    assert (info["capacity"], info["block_size"]) == (8 * MiB, 512)
    assert info["queues"]["max"] == 2
    assert info["config"]["max_target"] >= 2
    luns = [(l["target"], l["lun"], l["device_type"], l["blocks"], l["block_len"], l["selected"])
            for l in info["luns"]]
    assert luns == [(0, 0, 0, 8 * MiB // 512, 512, True),
                    (2, 0, 0, 4 * MiB // 4096, 4096, False)]
    for l in info["luns"]:
        assert l["vendor"] and l["product"], l
        # VPD 83h: a logical unit's designator (SPC-5 §7.7.6).
        assert l["id"].split(".")[0] in ("naa", "eui", "t10", "name"), l
    # The URI picks another LUN; the table marks it.
    uri2 = uri + "?target=2&lun=0"
    info = storlab.json("io", "info", uri2, "--json")
    assert (info["capacity"], info["block_size"]) == (4 * MiB, 4096)
    assert [l["selected"] for l in info["luns"]] == [False, True]
    text = storlab("io", "info", uri2).stdout
    assert "LUNs:       2 found" in text, text
    assert " * 2:0 " in text and "1024 blocks of 4096" in text, text
    # A LUN the device does not have: the open fails (exit 2, ENODEV).
    p = storlab("io", "info", uri + "?target=1", rc=2)
    assert "no LUN 1:0" in p.stderr, p.stderr


def test_verify_on_each_lun(tgt, storlab):
    uri = make_controller(tgt)
    v = storlab.json("io", "verify", uri, "--queues", 2, "--qd", 16, "--bs", 65536,
                     "--size", 8 * MiB, "--passes", 2, "--json")
    check_verify_pass(v, 2, 65536, 8 * MiB, 2)
    v = storlab.json("io", "verify", uri + "?target=2", "--qd", 8, "--bs", 16384,
                     "--size", 4 * MiB, "--json")
    check_verify_pass(v, 1, 16384, 4 * MiB, 1)


def test_pattern_written_and_read_back(tgt, storlab, workdir):
    uri = make_controller(tgt) + "?target=2"
    data = bytes((i * 7 + 1) & 0xff for i in range(3 * 4096))
    (workdir / "w.bin").write_bytes(data)
    storlab("io", "write", uri, "--offset", 8192, "--input", workdir / "w.bin")
    storlab("io", "read", uri, "--offset", 4096, "--length", 5 * 4096,
            "--output", workdir / "r.bin")
    got = (workdir / "r.bin").read_bytes()
    assert got[4096:4096 + len(data)] == data
    assert got[:4096] == bytes(4096) and got[-4096:] == bytes(4096)
    # UNMAP and WRITE SAME(16): both read back as zeroes (the malloc bdev
    # zeroes what it unmaps).
    storlab("io", "discard", uri, "--offset", 8192, "--length", 4096)
    storlab("io", "write-zeroes", uri, "--offset", 12288, "--length", 4096, "--unmap")
    storlab("io", "flush", uri)
    storlab("io", "read", uri, "--offset", 8192, "--length", 3 * 4096,
            "--output", workdir / "r.bin")
    assert (workdir / "r.bin").read_bytes() == bytes(8192) + data[8192:]
    # Not whole 4096-byte blocks: refused before the device sees it
    # (EINVAL, as storlab(1) says of a request the library refuses).
    p = storlab("io", "read", uri, "--offset", 512, "--length", 4096, "--output", "/dev/null",
                rc=2)
    assert "Invalid argument" in p.stderr, p.stderr


def test_check_condition_decoded(tgt, storlab):
    uri = make_controller(tgt)
    # SBC-4 §5.18: a READ past the last LBA is ILLEGAL REQUEST / LBA OUT OF
    # RANGE; the transport names the status with its sense key.
    p = storlab("io", "read", uri, "--offset", 8 * MiB - 512, "--length", 1024,
                "--output", "/dev/null", rc=1)
    assert "CHECK CONDITION/ILLEGAL REQUEST" in p.stderr, p.stderr
    # The transport's log says the sense data in full.
    p = storlab("--log-level", "info", "io", "read", uri, "--offset", 8 * MiB,
                "--length", 512, "--output", "/dev/null", rc=1)
    assert "LOGICAL BLOCK ADDRESS OUT OF RANGE (21h/00h)" in p.stderr, p.stderr


def test_tmf_through_the_api(tgt, storlab):
    uri = make_controller(tgt)
    # §5.6.6.2: LOGICAL UNIT RESET of the selected LUN; FUNCTION COMPLETE.
    p = storlab("io", "tmf", uri, "--function", "lun-reset")
    assert p.stdout.strip() == "FUNCTION_COMPLETE", p.stdout
    # Aborting or querying a task that is not there completes too (SAM-5
    # §7.2, §7.8: nothing to abort, no such task).
    for function in ("abort-task", "query-task"):
        p = storlab("io", "tmf", uri + "?target=2", "--function", function, "--id", 12345)
        assert p.stdout.strip() == "FUNCTION_COMPLETE", (function, p.stdout)
    # The LUN works after the reset: the unit attention it raised is
    # retried away.
    v = storlab.json("io", "verify", uri, "--qd", 4, "--bs", 4096, "--size", MiB, "--json")
    check_verify_pass(v, 1, 4096, MiB, 1)
    # Not a function §5.6.6.2 has, or not a virtio-scsi device.
    storlab("io", "tmf", uri, "--function", "reboot", rc=2)
    tgt.malloc("Malloc2", 4, 512)
    tgt.rpc("vhost_create_blk_controller", "blk0", "Malloc2")
    wait_for(lambda: os.path.exists(tgt.sock("blk0")), 10, "socket")
    p = storlab("io", "tmf", tgt.uri("blk0"), "--function", "lun-reset", rc=2)
    assert "not a virtio-scsi device" in p.stderr, p.stderr


def test_perf_runs_on_a_lun(tgt, storlab):
    uri = make_controller(tgt) + "?target=2"
    out = storlab.json("perf", "--target", uri, "--rw", "randrw", "--bs", "4k", "--iodepth", 8,
                       "--time", 1, "--verify", "--output-format", "json")
    job = out["jobs"][0]
    assert job["read"]["io_bytes"] > 0 and job["write"]["io_bytes"] > 0, job
    assert job["read"]["total_ios"] + job["write"]["total_ios"] > 0


SCENARIO = """
name: scsi
description: a vhost-user-scsi controller of storlab-tgt driven by scenario steps
endpoints:
  - {name: tgt, type: storlab-tgt}
steps:
  - rpc: {endpoint: tgt, method: bdev_malloc_create,
          params: {name: Malloc0, num_blocks: 8192, block_size: 512}}
  - rpc: {endpoint: tgt, method: vhost_create_scsi_controller, params: {ctrlr: scsi0}}
  - rpc: {endpoint: tgt, method: vhost_scsi_controller_add_target,
          params: {ctrlr: scsi0, scsi_target_num: 0, bdev_name: Malloc0}}
  - io: {endpoint: tgt, controller: scsi0, op: info}
  - expect: {field: capacity, equals: 4194304}
  - io: {endpoint: tgt, controller: scsi0, op: verify, qd: 8, bs: 4k, size: 4M}
  - expect: {field: bad_sectors, equals: 0}
  - io: {endpoint: tgt, controller: scsi0, op: perf, rw: randwrite, bs: 4k, iodepth: 4,
         time: 1, verify: true}
"""


def test_scenario_steps_on_a_scsi_controller(workdir):
    """storlab-tgt's SCSI controller as a scenario endpoint's device: its
    URI is a vhost-user-scsi one (docs/scenarios.md), and io steps run on it."""
    f = workdir / "scsi.yaml"
    f.write_text(SCENARIO)
    p = subprocess.run([str(need_binary(CLI_BIN)), "scenario", "run", str(f)],
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=180,
                       cwd=workdir)
    assert_no_san(p.stdout + p.stderr, "storlab scenario")
    assert p.returncode == 0, p.stdout + p.stderr
    assert "scsi: all steps passed" in p.stdout, p.stdout
    assert "4194304 bytes, block size 512" in p.stdout, p.stdout
