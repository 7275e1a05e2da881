# SPDX-License-Identifier: MIT
"""Our initiator's vhost-user-scsi transport (`vhost-user-scsi:` URIs, virtio
1.2 §5.6) against storlab-tgt's vhost-user-scsi controllers: `storlab io
verify` and a pattern written and read back on a LUN of each block size,
`storlab io info` listing the targets and LUNs the scan found with their
sizes and ids, the neutral commands as SCSI ones, a task management
function through the API (`storlab io tmf`), a CHECK CONDITION
decoded into its sense key, and hot-plug (§5.6.6.3) seen by a device kept
open (`storlab io session`): a target added, removed, and a LUN grown."""

import errno
import json
import os
import subprocess

from conftest import (CLI_BIN, MiB, _ALL_PROCS, assert_no_san, check_verify_pass, need_binary,
                      wait_for)

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


class Session:
    """`storlab io session URI`: one JSON line answered per command line."""

    def __init__(self, uri, workdir):
        self.err = open(workdir / "session.err", "w+")
        self.proc = subprocess.Popen([str(need_binary(CLI_BIN)), "--log-level", "info", "io",
                                      "session", uri], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self.err, text=True)
        _ALL_PROCS.append(self.proc)

    def __call__(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline()
        assert answer, "storlab io session ended:\n" + self.log()
        return json.loads(answer)

    def luns(self):
        return [(l["target"], l["lun"], l["blocks"], l["block_len"], l["selected"])
                for l in self("luns")["luns"]]

    def log(self):
        self.err.seek(0)
        return self.err.read()

    def close(self):
        """quit: exit 0, no sanitizer report."""
        self.proc.stdin.write("quit\n")
        self.proc.stdin.close()
        assert self.proc.wait(30) == 0, self.log()
        assert_no_san(self.log(), "storlab io session")


def session(uri, workdir):
    s = Session(uri, workdir)
    assert s("luns")["ret"] == 0
    return s


def one_target(tgt, bdev):
    """A controller with bdev as target 0 alone; its URI."""
    rpc_json(tgt, "vhost_create_scsi_controller", {"ctrlr": CTRL})
    wait_for(lambda: os.path.exists(tgt.sock(CTRL)), 10, "socket %s" % tgt.sock(CTRL))
    rpc_json(tgt, "vhost_scsi_controller_add_target",
             {"ctrlr": CTRL, "scsi_target_num": 0, "bdev_name": bdev})
    return "vhost-user-scsi:" + tgt.sock(CTRL)


def written(s, offset, data, lun=""):
    """Writes data at offset, reads it back: the same bytes."""
    assert s("write %d %s %s" % (offset, data.hex(), lun)) == {"ret": 0}
    r = s("read %d %d %s" % (offset, len(data), lun))
    assert r["ret"] == 0, r
    return bytes.fromhex(r["data"]) == data


def test_hotplug_seen_by_an_open_device(tgt, workdir):
    """§5.6.6.3.1: a target added over RPC while the initiator has the
    device open shows in its LUN table (its target rescanned on the
    TRANSPORT_RESET / RESCAN event) and takes a write that reads back; once
    removed (TRANSPORT_RESET / REMOVED) it leaves the table and I/O to it
    fails cleanly (ENODEV, nothing sent), while target 0 serves on."""
    tgt.malloc("Malloc0", 8, 512)
    tgt.malloc("Malloc1", 4, 4096)
    s = session(one_target(tgt, "Malloc0"), workdir)
    t0 = (0, 0, 8 * MiB // 512, 512, True)
    t1 = (1, 0, 4 * MiB // 4096, 4096, False)
    assert s.luns() == [t0]
    rpc_json(tgt, "vhost_scsi_controller_add_target",
             {"ctrlr": CTRL, "scsi_target_num": 1, "bdev_name": "Malloc1"})
    wait_for(lambda: s.luns() == [t0, t1], 20, "LUN 1:0 in the table", interval=0.1)
    data = bytes((i * 13 + 5) & 0xff for i in range(2 * 4096))
    assert written(s, 3 * 4096, data, "1:0")
    # Not the neutral LUN's data: target 0 holds zeroes there.
    assert s("read %d 4096" % (3 * 4096)) == {"ret": 0, "data": "00" * 4096}
    log = s.log()
    assert "event 0x1 on LUN 1:0, reason 0x1: transport reset, rescan" in log, log
    rpc_json(tgt, "vhost_scsi_controller_remove_target", {"ctrlr": CTRL, "scsi_target_num": 1})
    wait_for(lambda: s.luns() == [t0], 20, "LUN 1:0 gone from the table", interval=0.1)
    assert s("read 0 4096 1:0") == {"ret": -errno.ENODEV, "error": os.strerror(errno.ENODEV)}
    assert written(s, 4096, data[:4096])
    assert written(s, 0, data[:512], "0:0")
    assert "reason 0x2: transport reset, removed" in s.log()
    s.close()


def test_selected_lun_removed(tgt, workdir):
    """The LUN the URI selected is removed under an open device: neutral
    requests fail with ENODEV from then on, without reaching the device,
    while commands to the LUN left go on."""
    uri = make_controller(tgt) + "?target=2"
    s = session(uri, workdir)
    assert written(s, 8192, bytes(range(256)) * 16)
    rpc_json(tgt, "vhost_scsi_controller_remove_target", {"ctrlr": CTRL, "scsi_target_num": 2})
    wait_for(lambda: [l[:2] for l in s.luns()] == [(0, 0)], 20, "LUN 2:0 gone", interval=0.1)
    # The table marks no LUN selected: selected is past its end.
    assert s.luns() == [(0, 0, 8 * MiB // 512, 512, False)]
    assert s("read 8192 4096") == {"ret": -errno.ENODEV, "error": os.strerror(errno.ENODEV)}
    assert s("write 0 %s" % ("5a" * 4096))["ret"] == -errno.ENODEV
    assert written(s, 0, b"\xa5" * 512, "0:0")
    assert "2:0, is gone: they fail with ENODEV" in s.log()
    s.close()


def test_capacity_change_seen(tgt, workdir):
    """§5.6.6.3.3: a null bdev grown over RPC (bdev_null_resize) sends
    PARAM_CHANGE with 2Ah/09h; the initiator reads the capacity again,
    its device info says the new size, and a block past the old end is
    served."""
    tgt.rpc("bdev_null_create", "Null0", 4, 512)
    s = session(one_target(tgt, "Null0"), workdir)
    assert s("luns")["capacity"] == 4 * MiB
    # Past the end: refused by the device (LBA OUT OF RANGE).
    assert s("read %d 512" % (4 * MiB))["ret"] == -errno.EIO
    tgt.rpc("bdev_null_resize", "Null0", 8)
    wait_for(lambda: s("luns")["capacity"] == 8 * MiB, 20, "the new capacity", interval=0.1)
    assert s.luns() == [(0, 0, 8 * MiB // 512, 512, True)]
    assert s("read %d 512" % (8 * MiB - 512))["ret"] == 0
    assert "parameter change, capacity data has changed" in s.log()
    s.close()


def test_events_missed_rescans_every_target(tgt, workdir):
    """§5.6.6.3: events the device could not hold while the driver did not
    reap are dropped, and the next one it delivers says EVENTS_MISSED; the
    driver then scans every target again. Here the 8 buffers it keeps
    posted take 8 events, the device holds 16 more, and the target added
    last (6) is announced by an event that is dropped: only the full
    rescan finds it."""
    tgt.malloc("Malloc0", 8, 512)
    tgt.malloc("Malloc3", 4, 512)
    s = session(one_target(tgt, "Malloc0"), workdir)
    # 24 events: 12 LUNs (a target has 8 at most) added, then removed.
    luns = [(5, lun) for lun in range(8)] + [(4, lun) for lun in range(4)]
    for target, lun in luns:
        tgt.rpc("vhost_scsi_controller_add_lun", CTRL, target, lun, "Malloc3")
    for target, lun in luns:
        tgt.rpc("vhost_scsi_controller_remove_lun", CTRL, target, lun)
    rpc_json(tgt, "vhost_scsi_controller_add_target",
             {"ctrlr": CTRL, "scsi_target_num": 6, "bdev_name": "Malloc3"})
    want = [(0, 0, 8 * MiB // 512, 512, True), (6, 0, 4 * MiB // 512, 512, False)]
    wait_for(lambda: s.luns() == want, 30, "target 6 found by a full rescan", interval=0.1)
    assert "events were missed: every target is scanned again" in s.log()
    assert written(s, 0, bytes(range(256)) * 2, "6:0")
    s.close()
