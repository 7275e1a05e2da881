# SPDX-License-Identifier: MIT
"""A real Linux guest on a vhost-user-scsi back-end: QEMU 7.2's
vhost-user-scsi-pci (2 request queues, TCG) with the kernel's virtio_scsi
and sd drivers, and Debian's sg3-utils in the guest. One boot per back-end
checks, without a reboot:

  - both LUNs are seen with the size, block length, serial (VPD 80h),
    designators (VPD 83h) and provisioning (VPD B2h) the back-end was given,
    through /sys and sg_inq / sg_vpd / sg_readcap;
  - 1 MiB written with O_DIRECT on each LUN, from both guest CPUs (so both
    request queues), reads back equal; the host reads the same bytes;
  - blkdiscard sends UNMAP, and what it covered reads back as zeroes where
    the back-end says LBPRZ;
  - a LUN hot-added on the host appears in the guest (VIRTIO_SCSI_T_
    TRANSPORT_RESET, virtio 1.2 §5.6.6.3), takes I/O, and goes when it is
    hot-removed;
  - storlab-tgt: a LUN whose bdev grows (bdev_null_resize) shows its new
    size in the guest (VIRTIO_SCSI_T_PARAM_CHANGE, §5.6.6.3.3).

Back-ends: tests/peers/rte_vhost_scsi (DPDK rte_vhost with its own SCSI
emulation; hot-plug by SIGUSR1/SIGUSR2) and storlab-tgt (malloc bdevs;
hot-plug over SPDK's RPC methods vhost_scsi_controller_add_target and
_remove_target). ~30 s per boot under TCG.
"""

import hashlib
import json
import os
from pathlib import Path

import pytest

from conftest import MiB, tail, wait_for
from peers import rte_vhost_scsi_factory  # noqa: F401
from tests.guest import MissingDependency, deps, initramfs, runner
from tests.guest.live import LiveGuest

QUEUES = 2
SCSI_TOOL = Path(__file__).resolve().parents[1] / "guest" / "scsi.sh"
# Where scsi.sh's data test writes: 1 MiB at 1 MiB.
OFFSET, LENGTH = 1 * MiB, 1 * MiB

# Targets 0 and 1 from the start, 2 hot-added and hot-removed.
LUNS = {0: {"mb": 64, "bs": 512, "serial": "guest-lun0"},
        1: {"mb": 32, "bs": 4096, "serial": "guest-lun1"},
        2: {"mb": 16, "bs": 512, "serial": "guest-lun2"}}

GUEST_SCRIPT = r"""
S="sh /scsi.sh"
$S appear 0 && $S appear 1 || exit 1
for t in 0 1; do $S info $t && $S data $t || exit 1; done
$S discard 0 || exit 1
echo "@@STORLAB-STEP add@@"
$S appear 2 && $S info 2 && $S data 2 || exit 1
echo "@@STORLAB-STEP remove@@"
$S gone 2 || exit 1
result t2_gone yes
"""
# Target 3, a null bdev of RESIZE_MB[0] MiB, grows to RESIZE_MB[1] MiB while
# the guest runs (storlab-tgt: SPDK's bdev_null_resize).
RESIZE_MB = (8, 24)
RESIZE_SCRIPT = r"""
$S appear 3 || exit 1
echo "@@STORLAB-STEP resize@@"
$S grown 3 %d || exit 1
result t3_grown yes
""" % (RESIZE_MB[1] * MiB // 512)


class RteBackend:
    """tests/peers/rte_vhost_scsi: targets 0 and 1 RAM and a file, 2 a
    hotplug target (plugged by SIGUSR1, unplugged by SIGUSR2)."""

    name = "rte_vhost_scsi"
    vendor = "DPDK"
    script = GUEST_SCRIPT

    def __init__(self, factory, workdir):
        self.image = workdir / "lun1.img"
        with open(self.image, "wb") as f:
            f.truncate(LUNS[1]["mb"] * MiB)
        spec = "%d,%s,bs=%d,serial=%s"
        self.peer = factory(
            spec % (0, "size=%d" % LUNS[0]["mb"], LUNS[0]["bs"], LUNS[0]["serial"]),
            spec % (1, "file=%s" % self.image, LUNS[1]["bs"], LUNS[1]["serial"]),
            spec % (2, "size=%d" % LUNS[2]["mb"], LUNS[2]["bs"], LUNS[2]["serial"]) + ",hotplug",
            queues=QUEUES)
        self.sock = self.peer.sock

    def lbprz(self, t):
        return "1"  # RAM is cleared, the file gets a hole or zeroes

    def wwid_ok(self, t, wwid):
        # Linux names the LU by its T10 vendor ID designator (vendor, serial)
        # over the NAA 3h (locally assigned) one.
        return wwid == "t10.DPDK    " + LUNS[t]["serial"]

    def log(self):
        return self.peer.log

    def hot_add(self):
        self.peer.hotplug(True)

    def hot_remove(self):
        self.peer.hotplug(False)

    def host_read(self, t, off, length):
        assert t == 1, "only target 1 has a file the host can read"
        with open(self.image, "rb") as f:
            f.seek(off)
            return f.read(length)


class TgtBackend:
    """storlab-tgt's vhost-user-scsi controller (target/frontend/vhost_scsi*)
    made and changed with SPDK's RPC methods: targets 0 and 1 over malloc
    bdevs, target 2 added and removed with vhost_scsi_controller_add_target /
    _remove_target while the guest runs, target 3 a null bdev grown with
    bdev_null_resize."""

    name = "storlab-tgt"
    vendor = "STORLAB"
    ctrl = "scsi0"
    script = GUEST_SCRIPT + RESIZE_SCRIPT

    def __init__(self, tgt):
        self.tgt = tgt
        for t, lun in LUNS.items():
            tgt.malloc(lun["serial"], lun["mb"], lun["bs"])
        self.rpc("vhost_create_scsi_controller", ctrlr=self.ctrl, num_queues=QUEUES)
        wait_for(lambda: os.path.exists(tgt.sock(self.ctrl)), 10, "the controller's socket")
        for t in (0, 1):
            self.add(t)
        tgt.rpc("bdev_null_create", "Null3", RESIZE_MB[0], 512)
        self.rpc("vhost_scsi_controller_add_target", ctrlr=self.ctrl, scsi_target_num=3,
                 bdev_name="Null3")
        self.sock = tgt.sock(self.ctrl)

    def rpc(self, method, **params):
        return self.tgt.rpc(method, json.dumps(params))

    def add(self, t):
        got = self.rpc("vhost_scsi_controller_add_target", ctrlr=self.ctrl,
                       scsi_target_num=t, bdev_name=LUNS[t]["serial"])
        assert got == t, "vhost_scsi_controller_add_target answered %r for target %d" % (got, t)

    def lbprz(self, t):
        # The LU's serial is its bdev's name; a malloc bdev does not promise
        # zeroes after UNMAP (bdev.h), so LBPRZ is 0.
        return "0"

    def wwid_ok(self, t, wwid):
        # Linux names the LU by its NAA 5h designator (VPD 83h).
        return wwid.startswith("naa.5")

    def log(self):
        return self.tgt.log

    def hot_add(self):
        self.add(2)

    def hot_remove(self):
        self.rpc("vhost_scsi_controller_remove_target", ctrlr=self.ctrl, scsi_target_num=2)

    def resize(self):
        self.tgt.rpc("bdev_null_resize", "Null3", RESIZE_MB[1])


def boot_guest(workdir, sock, script):
    kver = deps.kernel_version()
    initrd = initramfs.make_initrd(script, workdir / "initrd",
                                   files={"scsi.sh": SCSI_TOOL.read_bytes()}, kver=kver,
                                   tools=initramfs.SG_TOOLS)
    argv = runner.qemu_argv(initrd, kver, smp=QUEUES, vhost_user_scsi=[(sock, QUEUES)])
    return LiveGuest(argv, workdir, "guest")


def step(guest, word, timeout):
    guest.wait_until(lambda: any(a == word for _, a in guest.markers("STEP")) or
                     guest.markers("TEST-END"), timeout, "the guest to reach step %r" % word)
    assert not guest.markers("TEST-END"), "the guest ended before step %r:\n%s" % (
        word, guest.tail())


def run_guest(backend, workdir):
    try:
        guest = boot_guest(workdir, backend.sock, backend.script)
    except MissingDependency as e:
        pytest.fail(str(e), pytrace=False)
    try:
        step(guest, "add", 150)
        backend.hot_add()
        step(guest, "remove", 90)
        backend.hot_remove()
        if hasattr(backend, "resize"):
            step(guest, "resize", 90)
            backend.resize()
        guest.wait_until(lambda: guest.markers("TEST-END"), 90, "the guest's test to end")
        rc = guest.wait_exit(60)
    except AssertionError as e:
        raise AssertionError("%s\n--- %s log (tail):\n%s" % (e, backend.name,
                                                            tail(backend.log(), 30)))
    finally:
        guest.close()
    return runner.GuestRun.of_console(guest.argv, guest.console, rc).check()


def check_lun(run, backend, t):
    r, want = run.results, LUNS[t]
    blocks = want["mb"] * MiB // want["bs"]
    got = {k: r.get("t%d_%s" % (t, k)) for k in (
        "sectors", "lbs", "blocks", "blklen", "pdt", "vendor", "serial", "wwid", "lbprz",
        "designators", "mq", "discard_max")}
    assert got["sectors"] == str(want["mb"] * MiB // 512), got   # /sys counts 512 B
    assert got["lbs"] == got["blklen"] == str(want["bs"]), got
    assert got["blocks"] == str(blocks), got
    assert got["pdt"] == "0", got                 # SPC-5: direct access block device
    assert got["vendor"] == backend.vendor, got
    assert got["serial"] == want["serial"], got   # VPD 80h
    assert backend.wwid_ok(t, got["wwid"]), got  # VPD 83h, as Linux names the LU
    assert int(got["designators"] or 0) >= 1, got
    assert got["lbprz"] == backend.lbprz(t), got  # VPD B2h
    assert int(got["discard_max"]) > 0, "the guest's sd does not send UNMAP: %s" % got
    assert got["mq"] == str(QUEUES), got


def check_run(run, backend):
    for t in (0, 1, 2):
        check_lun(run, backend, t)
    if backend.lbprz(0) == "1":
        assert run.results.get("t0_discarded") == "zeroes", (
            "LBPRZ is 1 but the discarded range does not read back as zeroes")
    assert run.results.get("t2_gone") == "yes"


def test_guest_scsi_on_rte(rte_vhost_scsi_factory, workdir):
    backend = RteBackend(rte_vhost_scsi_factory, workdir)
    run = run_guest(backend, workdir)
    check_run(run, backend)
    # The host's path: the file under target 1 holds what the guest wrote.
    host = hashlib.sha256(backend.host_read(1, OFFSET, LENGTH)).hexdigest()
    assert host == run.results["t1_sha256"], "the image file differs from what the guest wrote"


def test_guest_scsi_on_tgt(tgt, storlab, workdir):
    backend = TgtBackend(tgt)
    run = run_guest(backend, workdir)
    check_run(run, backend)
    # The guest's sd re-read the capacity on the PARAM_CHANGE event
    # (§5.6.6.3.3) or the unit attention, without a reboot or a rescan.
    assert run.results.get("t3_grown") == "yes", run.results
    assert tgt.alive(), "storlab-tgt died while the guest ran:\n" + tgt.log
