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
    hot-removed.

Back-ends: tests/peers/rte_vhost_scsi (DPDK rte_vhost with its own SCSI
emulation; hot-plug by SIGUSR1/SIGUSR2). ~15-25 s per boot under TCG.
"""

import hashlib
from pathlib import Path

import pytest

from conftest import MiB
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


class RteBackend:
    """tests/peers/rte_vhost_scsi: targets 0 and 1 RAM and a file, 2 a
    hotplug target (plugged by SIGUSR1, unplugged by SIGUSR2)."""

    name = "rte_vhost_scsi"
    vendor = "DPDK"

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

    def wwid(self, t):
        # Linux names the LU by the T10 vendor ID designator (vendor, serial).
        return "t10.DPDK    " + LUNS[t]["serial"]

    def hot_add(self):
        self.peer.hotplug(True)

    def hot_remove(self):
        self.peer.hotplug(False)

    def host_read(self, t, off, length):
        assert t == 1, "only target 1 has a file the host can read"
        with open(self.image, "rb") as f:
            f.seek(off)
            return f.read(length)


def boot_guest(workdir, sock):
    kver = deps.kernel_version()
    initrd = initramfs.make_initrd(GUEST_SCRIPT, workdir / "initrd",
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
        guest = boot_guest(workdir, backend.sock)
    except MissingDependency as e:
        pytest.fail(str(e), pytrace=False)
    try:
        step(guest, "add", 150)
        backend.hot_add()
        step(guest, "remove", 90)
        backend.hot_remove()
        guest.wait_until(lambda: guest.markers("TEST-END"), 90, "the guest's test to end")
        rc = guest.wait_exit(60)
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
    assert got["wwid"] == backend.wwid(t), got    # VPD 83h, as Linux names the LU
    assert int(got["designators"] or 0) >= 1, got
    assert got["lbprz"] == "1", got               # VPD B2h
    assert int(got["discard_max"]) > 0, "the guest's sd does not send UNMAP: %s" % got
    assert got["mq"] == str(QUEUES), got


def test_guest_scsi_on_rte(rte_vhost_scsi_factory, workdir):
    backend = RteBackend(rte_vhost_scsi_factory, workdir)
    run = run_guest(backend, workdir)
    for t in (0, 1, 2):
        check_lun(run, backend, t)
    assert run.results.get("t0_discarded") == "zeroes", (
        "LBPRZ is 1 but the discarded range does not read back as zeroes")
    assert run.results.get("t2_gone") == "yes"
    # The host's path: the file under target 1 holds what the guest wrote.
    host = hashlib.sha256(backend.host_read(1, OFFSET, LENGTH)).hexdigest()
    assert host == run.results["t1_sha256"], "the image file differs from what the guest wrote"
