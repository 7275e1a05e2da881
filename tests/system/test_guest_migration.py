# SPDX-License-Identifier: MIT
"""QEMU live migration of a Linux guest (TCG) from one vhost-user-blk
back-end to another on the same backing file (issue 11, "Real-world proof").

two-targets: storlab-tgt A and storlab-tgt B each open the same file as a
uring bdev and serve it as a vhost-user-blk controller with 2 queues.
one-target: one storlab-tgt serves two controllers on one uring bdev.

QEMU 1 boots the guest on A's socket; QEMU 2 waits for the migration
(-incoming) with its device on B's. In the guest two writers (one per CPU,
so both virtqueues) write generations of a pattern that names each block's
LBA, writer and generation, with O_DIRECT, and read each back through the
page cache (tests/guest/blkpattern.sh). While they write, QEMU 1 migrates
to QEMU 2 over loopback (QMP `migrate`); then the host tells the guest on
the console, the writers do a few more generations on B, and the guest reads
everything back through its page cache and with O_DIRECT. The host reads
the backing file as a third witness. With two targets both QEMUs reach
their targets through `storlab migrate record`, and the recorded migration
is replayed against a fresh storlab-tgt and qemu-storage-daemon, and
crashed (replay_recorded): CI kills the back-end after a strided sample of
the replay's front-end messages, the stop's and logging's among them, one
replay each (--crash-after); the full crash matrix, a kill after every
message (QEMU's trace has about a hundred, minutes under ASan), runs with
STORLAB_CRASH_MATRIX=full, as ci/crash-matrices (the nightly's) runs it.
Both QEMUs run TCG with one thread for both vCPUs (tests/guest/migration.py
says why). ~25-45 s each."""

import re
import time

import pytest

from conftest import MiB, requests_total, wait_for
from tests.guest import MissingDependency
from tests.guest import migration as gm
from tests.system.test_migrate_record import Recorder, show
from tests.system.test_migrate_replay import (crash_sample_holds, full_matrix, held,
                                              held_but_late, matrix, received, replay,
                                              spawn_tgt)

QUEUES = 2
DISK = 64 * MiB
CTRL_SRC, CTRL_DST = "vhost.0", "vhost.1"
# Generations each writer completes before the migration starts.
GENS_BEFORE = 3

# blkpattern.sh's two read-backs, for a failure's message.
VIEWS = {
    "cached": "through the guest's page cache (pages the back-end filled, on the "
              "source or the destination)",
    "direct": "with O_DIRECT (from the device)",
}

VRING_LINE = re.compile(r"vring (\d+) (started: num \d+ base \d+, dirty log (.+)|stopped at \d+)$",
                        re.M)


def vring_events(log):
    """{vring: [("start", dirty log state) or ("stop", None), ...]} in order."""
    out = {}
    for m in VRING_LINE.finditer(log):
        ev = ("start", m.group(3)) if m.group(3) else ("stop", None)
        out.setdefault(int(m.group(1)), []).append(ev)
    return out


def check_backing_file(img, last):
    """The host's path: the backing file holds, block by block, the newest
    generation each writer wrote there."""
    with open(img, "rb") as f:
        for lba, (w, g) in sorted(gm.expected_blocks(last).items()):
            f.seek(lba * 512)
            head = f.read(gm.BLOCK)[:64].decode("ascii", "replace").split()
            want = ["storlab-guestmig", "lba=%d" % lba, "writer=%d" % w, "gen=%d" % g]
            assert head[:4] == want, "backing file at LBA %d: %s, expected %s" % (
                lba, " ".join(head[:4]), " ".join(want))


def check_logging(a_log, b_log):
    """storlab-tgt's side of the dirty log: the source controller took a log
    (SET_LOG_BASE) and both its rings ran logging, used ring included; with
    two targets (b_log), A's rings logged until QEMU 1 stopped them, and B
    never logged. One target logs both controllers in one log: there the
    destination's part is that only one log was ever set."""
    log = a_log if b_log is None else a_log + b_log
    assert received(log).count("VHOST_USER_SET_LOG_BASE") == 1, (
        "expected one SET_LOG_BASE (the source's): %s" % received(log))
    assert re.search(r"dirty log: \d+ bytes", a_log), "no dirty log was set up"
    logged = {int(m.group(1)) for m in VRING_LINE.finditer(a_log)
              if m.group(3) == "on, used ring too"}
    assert logged == set(range(QUEUES)), "rings that ran with the dirty log on: %s" % logged
    if b_log is None:
        return
    assert "dirty log on" not in b_log, "B logged: %s" % vring_events(b_log)
    for ring, evs in vring_events(a_log).items():
        starts = [e for e in evs if e[0] == "start"]
        assert evs[-1][0] == "stop" and starts[-1][1] == "on, used ring too", (
            "A's vring %d: %s; expected its last run logging, then a stop" % (ring, evs))
    msgs = received(a_log)
    since = msgs[msgs.index("VHOST_USER_SET_LOG_BASE"):]
    assert since.count("VHOST_USER_GET_VRING_BASE") == QUEUES, (
        "A: the rings were not stopped after logging began: %s" % since)


# QEMU 7.2 under TCG migrates guest RAM stale (a QEMU bug fixed in 9.0;
# the guest's RAM size avoids it: tests/guest/migration.py, MEM_KB), and the
# guest then crashes. With that size, one stale page has still been seen in
# 1 run in 25, cause not known yet (docs/migration.md, "What the peers do").
# A stale run is reported with the bytes that differ and the migration is
# run again, on fresh targets and a fresh disk, up to this many times in
# all; the test fails if every run was stale.
ATTEMPTS = 3


class QemuStaleRam(Exception):
    """QEMU 2's guest RAM differs from QEMU 1's after the migration."""


@pytest.mark.parametrize("two_targets", [True, False], ids=["two-targets", "one-target"])
def test_guest_live_migration(tgt_factory, qsd_factory, storlab, workdir, two_targets):
    stale_runs = []
    for attempt in range(ATTEMPTS):
        try:
            trace = one_migration(tgt_factory, storlab, workdir, two_targets, attempt)
            break
        except QemuStaleRam as e:
            stale_runs.append(str(e))
            print("\nattempt %d of %d: %s" % (attempt + 1, ATTEMPTS, e))
    else:
        pytest.fail("QEMU migrated guest RAM stale in each of %d runs:\n%s" % (
            ATTEMPTS, "\n".join(stale_runs)), pytrace=False)
    if trace:
        replay_recorded(trace, tgt_factory, qsd_factory, storlab, workdir)


def replay_recorded(trace, tgt_factory, qsd_factory, storlab, workdir):
    """The migration as the recorder saw it: QEMU 1's connection (to A),
    with the dirty log and the rings stopped, then QEMU 2's (to B). Its
    front-end side, replayed against a fresh storlab-tgt and against
    qemu-storage-daemon, keeps every invariant of `storlab migrate run`;
    and against storlab-tgt on a file killed after a front-end message and
    reconnected, it holds at every boundary (the full matrix) or at each of
    a sample of them (CI; see the module's docstring)."""
    msgs = [r for r in show(storlab, trace) if r["type"] == "message"]
    assert {r["conn"] for r in msgs} == {1, 2}, "connections: %s" % {r["conn"] for r in msgs}
    src = [r["request"] for r in msgs if r["conn"] == 1 and r["direction"] == "to-backend"]
    assert "VHOST_USER_SET_LOG_BASE" in src, src
    assert src.count("VHOST_USER_GET_VRING_BASE") >= QUEUES, src
    other = tgt_factory(extra=["-L", "debug"], subdir="replay")
    other.rpc("bdev_malloc_create", "-b", "Malloc0", 64, 512)
    out = replay(storlab, trace, "--target", other.controller("vhost.0", "Malloc0",
                                                                num_queues=QUEUES))
    held(out)
    # The guest driver's features (not the firmware's, which ran first).
    assert out["features"] == out["trace"]["features"], out
    # QEMU's memory layout (two regions around the hole below 1 MiB), as
    # the replayed back-end received it: one fd per region.
    tables = re.findall(r"VHOST_USER_SET_MEM_TABLE size \d+ fds (\d+)$", other.log, re.M)
    added = re.findall(r"VHOST_USER_ADD_MEM_REG size \d+ fds 1$", other.log, re.M)
    assert (tables and int(tables[0]) == 2) or len(added) >= 2, (tables, len(added))
    print("\nreplay of QEMU's migration against storlab-tgt: %d requests, switch %.3f ms"
          % (out["requests"], out["switch_ms"]))
    out = replay(storlab, trace, "--target", qsd_factory(size=64 * MiB).uri, rc=None)
    held_but_late(out)
    assert out["features"] == out["trace"]["features"], out
    img = workdir / "matrix.img"
    with open(img, "wb") as f:
        f.truncate(64 * MiB)
    if full_matrix():
        p = storlab("migrate", "replay", trace, "--spawn-cmd", spawn_tgt(img),
                    "--crash-matrix", "--output", "json", rc=0, timeout=900)
        rows, summary = matrix(p)
        assert summary["ok"] == summary["boundaries"], [r for r in rows if not r["ok"]]
        print("crash matrix of QEMU's migration: %d boundaries in %.1f s, all ok"
              % (summary["boundaries"], summary["seconds"]))
        return
    # The replay above sent the front-end messages the matrix's boundaries
    # are, in order (the target's debug log names each one received).
    crash_sample_holds(storlab, trace, spawn_tgt(img), received(other.log))


def one_migration(tgt_factory, storlab, workdir, two_targets, attempt):
    workdir = workdir / ("run%d" % attempt)
    workdir.mkdir()
    img = workdir / "disk.img"
    with open(img, "wb") as f:
        f.truncate(DISK)
    # Debug logs every vhost-user request received and every ring start
    # (with its dirty log state) and stop: the test reads the source's
    # logging from there.
    a = tgt_factory(extra=["-L", "debug"], subdir="A%d" % attempt)
    b = tgt_factory(extra=["-L", "debug"], subdir="B%d" % attempt) if two_targets else a
    a.rpc("bdev_uring_create", img, "Uring0", 512)
    if two_targets:
        b.rpc("bdev_uring_create", img, "Uring0", 512)
    a.controller(CTRL_SRC, "Uring0", cpumask="0x3", num_queues=QUEUES)
    b.controller(CTRL_DST, "Uring0", cpumask="0x3", num_queues=QUEUES)

    # With two targets, QEMU's side of the conversation is recorded: both
    # QEMUs connect to the recorder, the source's connection goes on to A,
    # the destination's to B.
    rec = Recorder(storlab, workdir, [a.sock(CTRL_SRC), b.sock(CTRL_DST)], count=2,
                   name="qemu-migration.pcapng") if two_targets else None
    socks = (rec.sock, rec.sock) if rec else (a.sock(CTRL_SRC), b.sock(CTRL_DST))
    t0 = time.monotonic()
    try:
        src, dst, uri = gm.start_pair(
            workdir, *socks, queues=QUEUES,
            src_connected=lambda: wait_for(lambda: "front-end connected" in a.log, 30,
                                           "QEMU 1's device on %s" % CTRL_SRC))
    except MissingDependency as e:
        pytest.fail(str(e), pytrace=False)
    try:
        src.wait_until(lambda: all(len(g) >= GENS_BEFORE for g in gm.gens(src).values()), 120,
                       "the writers' first %d generations" % GENS_BEFORE)
        t_migrate = time.monotonic()
        info = gm.migrate(src, uri)
        t_done = time.monotonic()

        # The source stopped for good; the destination holds the guest,
        # paused (-S), with the source's RAM, then runs it.
        st = src.qmp.cmd("query-status")
        assert st["status"] == "postmigrate" and not st["running"], st
        dst.wait_until(lambda: dst.qmp.cmd("query-status")["status"] == "paused", 30,
                       "the destination to load the guest")
        stale = gm.ram_differences(src, dst, workdir)
        if stale:
            # The targets of this run stay up, idle, until the fixture stops
            # (and checks) them.
            raise QemuStaleRam(
                "QEMU 2's guest RAM differs from QEMU 1's after the migration in %d pages "
                "(at %s)\n  %s" % (len(stale), ", ".join("0x%x" % d[0] for d in stale[:16]),
                                   "\n  ".join(gm.describe_page(*d) for d in stale[:4])))
        dst.qmp.cmd("cont")
        dst.wait_until(lambda: dst.qmp.cmd("query-status")["running"], 30,
                       "the destination to run")
        # Let each writer show it writes on the destination, then tell the guest.
        dst.wait_until(lambda: all(gm.gens(dst).values()), 60,
                       "a generation of each writer on the destination")
        dst.send(gm.SWITCHED + "\n")
        rc = dst.wait_exit(120)
        t_end = time.monotonic()
        src.qmp.cmd("quit")
        src.wait_exit(30)
    finally:
        src.close()
        dst.close()

    before = gm.gens(src, until=t_migrate)
    during = gm.gens(src, since=t_migrate)
    after = gm.gens(dst)
    print("\n%s: boot + %d gens %.1f s, migration %.1f s (QEMU: total %s ms, downtime %s ms, "
          "%s MB), then %.1f s; gens per writer before %s, during %s, after %s" % (
              "two targets" if two_targets else "one target", GENS_BEFORE, t_migrate - t0,
              t_done - t_migrate, info.get("total-time"), info.get("downtime"),
              info["ram"]["transferred"] >> 20, t_end - t_done,
              [len(g) for g in before.values()], [len(g) for g in during.values()],
              [len(g) for g in after.values()]))

    phases = (("before the migration", before), ("during the migration, on the source", during),
              ("after the switch", after))
    verdict = gm.verdicts(dst)
    last = {}
    for w in range(gm.WRITERS):
        v = verdict.get(w)
        assert v, "writer %d: no verdict (QEMU 2 exited %s):\n%s" % (w, rc, dst.tail(60))
        if v["result"] != "pass":
            g = int(re.search(r"gen=(\d+)", v["line"]).group(1))
            when = [name for name, gs in phases if g in gs[w]]
            pytest.fail("writer %d read back, %s, something else than it wrote; generation "
                        "%d was written %s:\n%s" % (
                            w, VIEWS.get(v.get("view"), v.get("view")), g,
                            when[0] if when else "(no progress line)", v["line"]),
                        pytrace=False)
        last[w] = int(v["gens"])
        assert last[w] == max(after[w]), (w, v, after[w])
        # After the host's word each writer does exactly gm.AFTER more.
        assert len(after[w]) >= gm.AFTER + 1, (w, after[w])
    assert rc == 0 and "@@STORLAB-TEST-END rc=0@@" in dst.console, (
        "QEMU 2 exited %s:\n%s" % (rc, dst.tail(60)))
    # Writes before the migration, during it (a whole generation that began
    # after `migrate` and ended on the source) and after the switch.
    assert all(before.values()), before
    assert any(len(g) >= 2 for g in during.values()), (
        "no generation was written while the migration ran: %s" % during)

    check_backing_file(img, last)
    # The guest's writes, all of them (it writes nothing else), arrived at
    # the two controllers, without errors; both queues of each were used.
    written = 0
    for t, ctrl in ((a, CTRL_SRC), (b, CTRL_DST)):
        queues = t.stats(ctrl)["queues"]
        assert all(requests_total(q) > 0 for q in queues), (ctrl, queues)
        assert all(q["errors"] == 0 and q["malformed"] == 0 for q in queues), (ctrl, queues)
        written += sum(q["bytes_written"] for q in queues)
    assert written == sum(last.values()) * gm.K * gm.BLOCK, (written, last)

    check_logging(a.log, b.log if two_targets else None)
    assert a.alive() and b.alive()
    if rec is None:
        return None
    rec.finish()
    return rec.trace
