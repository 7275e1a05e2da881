# SPDX-License-Identifier: MIT
"""storlab-tgt killed under a running Linux guest (TCG) and restarted: QEMU's
vhost-user-blk front-end, a peer we did not write, reconnects
(`-chardev socket,reconnect=1`), hands back the in-flight region it got
with GET_INFLIGHT_FD (vhost-user.rst "Inflight I/O tracking"), and the
restarted target runs again the requests that were in flight; the guest's
writers never see an error, and everything they wrote reads back.

The guest runs tests/guest/blkpattern.sh as in the live migration test
(two writers, one per queue, generations of a pattern naming each block);
storlab-tgt serves a delay bdev over a file, so that requests are in
flight when SIGKILL comes. After the restart the host tells the guest, the
writers do a few more generations, and the guest reads everything back
through its page cache and with O_DIRECT; the host reads the file."""

import signal

import pytest

from conftest import MiB, wait_for
from tests.guest import MissingDependency, deps
from tests.guest import migration as gm
from tests.guest import runner
from tests.guest.live import LiveGuest
from tests.system.test_guest_migration import GENS_BEFORE, check_backing_file

QUEUES = 2
DISK = 64 * MiB
# Each request waits this long in the target (µs): the kill finds some in flight.
DELAY_US = 20000


def test_guest_survives_target_crash(tgt, workdir):
    img = workdir / "disk.img"
    with open(img, "wb") as f:
        f.truncate(DISK)

    def setup():
        tgt.rpc("bdev_uring_create", img, "Uring0", 512)
        tgt.rpc("bdev_delay_create", "-b", "Uring0", "-d", "Slow0", "-r", DELAY_US,
                "-t", DELAY_US, "-w", DELAY_US, "-n", DELAY_US)
        tgt.controller("vhost.0", "Slow0", cpumask="0x3", num_queues=QUEUES)

    setup()
    try:
        kver = deps.kernel_version()
        initrd = gm.guest_initrd(workdir, kver)
        guest = LiveGuest(runner.qemu_argv(initrd, kver, [(tgt.sock("vhost.0"), QUEUES)], 2,
                                           accel=gm.ACCEL, mem_kb=gm.MEM_KB, reconnect_s=1),
                          workdir, "qemu")
    except MissingDependency as e:
        pytest.fail(str(e), pytrace=False)
    try:
        guest.wait_until(lambda: all(len(g) >= GENS_BEFORE for g in gm.gens(guest).values()),
                         120, "the writers' first %d generations" % GENS_BEFORE)
        wait_for(lambda: sum(q["inflight"] for q in tgt.stats("vhost.0")["queues"]) > 0, 20,
                 "requests in flight at the target", interval=0.005)
        tgt.bg.kill(signal.SIGKILL)
        tgt.bg.wait(30)
        crashed = len(guest.lines)
        tgt.start()
        setup()
        # QEMU reconnects within its second and restarts the rings, the
        # in-flight region handed back; the restarted target says what it
        # ran again.
        wait_for(lambda: "in flight at the last disconnect run again" in tgt.log, 30,
                 "the restarted target to run again what was in flight")
        resubmitted = sum(q["resubmitted"] for q in tgt.stats("vhost.0")["queues"])
        assert resubmitted > 0, tgt.stats("vhost.0")
        guest.wait_until(lambda: all(gm.gens(guest, since=guest.lines[crashed][0]).values())
                         if len(guest.lines) > crashed else False, 60,
                         "a generation of each writer after the restart")
        guest.send(gm.SWITCHED + "\n")
        rc = guest.wait_exit(180)
    finally:
        guest.close()

    verdict = gm.verdicts(guest)
    last = {}
    for w in range(gm.WRITERS):
        v = verdict.get(w)
        assert v, "writer %d: no verdict (QEMU exited %s):\n%s" % (w, rc, guest.tail(60))
        assert v["result"] == "pass", "writer %d: %s" % (w, v["line"])
        last[w] = int(v["gens"])
    assert rc == 0 and "@@STORLAB-TEST-END rc=0@@" in guest.console, (
        "QEMU exited %s:\n%s" % (rc, guest.tail(60)))
    assert "I/O error" not in guest.console, guest.tail(60)
    check_backing_file(img, last)
    print("\n%d request(s) in flight at the kill ran again after QEMU's reconnect; "
          "generations per writer %s" % (resubmitted, last))
