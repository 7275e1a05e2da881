# SPDX-License-Identifier: MIT
"""storlab migrate run between vhost-user-scsi back-ends (docs/migration.md,
"vhost-user-scsi"): the VMM emulator migrates the initiator's virtio-scsi
device with verified I/O and requests in flight at the stop, and checks the
invariants of vhost-user-blk's runs.

storlab-tgt to storlab-tgt passes (two controllers on one bdev, on a slow
bdev whose commands are still running when GET_VRING_BASE comes, and two
processes on one file with the destination spawned); every ring is stopped,
the controlq and eventq included; the URI's LUN is the one migrated, and a
destination that names another is refused; a back-end with no dirty log
(the rte_vhost_scsi peer) and a destination of another scheme are refused
with a clear message and exit code 3. A migration recorded through
`storlab migrate record` replays clean against another controller (the
trace's rings 2.. are the request queues), and with a spawned storlab-tgt
killed after a front-end message and restarted.
"""

import json
import os
import signal
import struct
import subprocess

import pytest

from tests.system.conftest import BUILD, CLI_BIN, ROOT, TGT_BIN, assert_no_san, wait_for
from tests.system.peers import rte_vhost_scsi_factory  # noqa: F401 (fixture)
from tests.system.test_migrate_record import Recorder
from tests.system.test_migrate_replay import replay
from tests.system.test_tgt_io import STAMP_MAGIC, uring_file, verify_args

KINDS = ["lost", "duplicate", "stale-data", "stale-page", "index-regression", "late-write",
         "io-error"]
QUEUES = 2
RUN = ["--queues", QUEUES, "--qd", 8, "--rounds", 3, "--round-ms", 15, "--output", "json"]


def scsi_controller(tgt, name, *targets, num_queues=QUEUES):
    """vhost-user-scsi controller NAME with TARGETS[i] (a bdev) as target i."""
    tgt.rpc("vhost_create_scsi_controller", name, "--num-queues", num_queues)
    wait_for(lambda: os.path.exists(tgt.sock(name)), 10, "socket %s" % tgt.sock(name))
    for i, bdev in enumerate(targets):
        assert tgt.rpc("vhost_scsi_controller_add_target", name, i, bdev) == i
    return "vhost-user-scsi:" + tgt.sock(name)


def migrate(storlab, source, dest, *args, rc=0):
    out = storlab.json("migrate", "run", "--source", source, "--dest", dest, *RUN, *args,
                       rc=rc, timeout=120)
    for run in out["runs"]:
        assert set(run["violation_counts"]) == set(KINDS), run
    return out


def clean(out, inflight=None):
    """Every run: no violation; a base for each of the four rings (controlq,
    eventq, two request queues) and the source's used idx for each request
    queue; a switch time; pages copied; verified requests done."""
    for run in out["runs"]:
        assert run["error"] == "", run["error"]
        assert run["ok"], run["violations"]
        assert all(v == 0 for v in run["violation_counts"].values()), run
        assert len(run["bases"]) == 2 + QUEUES, run["bases"]
        assert len(run["source_used_idx"]) == QUEUES
        # The request queues' bases are where the source stopped: every
        # request it took was completed first (used == base).
        assert run["bases"][2:] == run["source_used_idx"], run
        assert run["switch_ms"] is not None and run["switch_ms"] > 0
        assert run["rounds"] and run["rounds"][0]["pages_copied"] > 0
        assert run["requests"] > 0
        if inflight is not None:
            assert run["inflight_at_stop"] == inflight, run


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_tgt_two_controllers_one_bdev(tgt, storlab, seed):
    tgt.malloc("Malloc0", 32, 512)
    src = scsi_controller(tgt, "scsi.0", "Malloc0")
    dst = scsi_controller(tgt, "scsi.1", "Malloc0")
    out = migrate(storlab, src, dst, "--seed", seed, "--stop-inflight")
    clean(out, inflight=2 * 8)
    # The guest sent a QUERY TASK SET on the controlq in each pre-copy
    # round (the device wrote its response and used entry with logging on,
    # compared after the final copy); the eventq got no event (no hot-plug
    # negotiated): its base is where it started.
    run = out["runs"][0]
    assert run["bases"][:2] == [len(run["rounds"]), 0], run["bases"]


def test_tgt_slow_bdev_drained_at_stop(tgt, storlab):
    """The commands in flight at the stop are still in the bdev (held 3 ms)
    when GET_VRING_BASE arrives: the target answers once they completed (the
    Nutanix rule), so none is lost or completed into the copied memory."""
    tgt.malloc("Malloc0", 32, 512)
    tgt.rpc("bdev_delay_create", "-b", "Malloc0", "-d", "Slow0", "-r", 3000, "-t", 3000,
            "-w", 3000, "-n", 3000)
    src = scsi_controller(tgt, "scsi.0", "Slow0")
    dst = scsi_controller(tgt, "scsi.1", "Slow0")
    clean(migrate(storlab, src, dst, "--seed", 21, "--stop-inflight", "--count", 2),
          inflight=2 * 8)


def test_tgt_uri_lun_is_migrated(tgt, storlab):
    """?target=1&lun=0 picks the LUN: the verified I/O runs on target 1's bdev
    (target 0 stays untouched), and a destination naming another LUN is
    refused before any request goes there."""
    tgt.malloc("Malloc0", 8, 512)
    tgt.malloc("Malloc1", 32, 512)
    src = scsi_controller(tgt, "scsi.0", "Malloc0", "Malloc1")
    dst = scsi_controller(tgt, "scsi.1", "Malloc0", "Malloc1")
    clean(migrate(storlab, src + "?target=1&lun=0", dst + "?target=1&lun=0", "--seed", 4,
                  "--stop-inflight"))
    # The guest's blocks are the first 2 * 8 * 2 of 4 KiB: stamped on target
    # 1, still the malloc bdev's zeroes on target 0.
    span = 2 * 8 * 2 * 4096
    for target, stamped in ((0, False), (1, True)):
        p = subprocess.run([str(CLI_BIN), "io", "read", "%s?target=%d" % (src, target),
                            "--offset", "0", "--length", str(span), "--output", "-"],
                           capture_output=True, timeout=30)
        assert p.returncode == 0 and len(p.stdout) == span, p.stderr
        assert (p.stdout.count(0) < span) == stamped, (target, p.stdout.count(0))
    out = migrate(storlab, src + "?target=1", dst + "?target=0", "--seed", 4, rc=3)
    assert "cannot set the destination up" in out["runs"][0]["error"], out


def spawn_tgt(img):
    """A shell command starting a storlab-tgt on the backing file img that
    serves a vhost-user-scsi controller with it as target 0 at {sock}. The
    controller is made apart and linked to {sock} once its target is there:
    a socket that appears earlier would be scanned with no LUN."""
    rpc = '%s rpc -s "$d/rpc.sock"' % CLI_BIN
    return ('d=$(dirname {sock}); rm -rf "$d/rpc.sock" "$d/t"; mkdir "$d/t"; '
            '%s -m 0x2 -S "$d/t" -r "$d/rpc.sock" & '
            'while [ ! -S "$d/rpc.sock" ]; do sleep 0.05; done; '
            '%s bdev_uring_create %s U0 512 && '
            '%s vhost_create_scsi_controller c --num-queues %d && '
            '%s vhost_scsi_controller_add_target c 0 U0 && ln -sf "$d/t/c" {sock} && wait'
            % (TGT_BIN, rpc, img, rpc, QUEUES, rpc))


def backing_file(workdir, name="shared.img"):
    img = workdir / name
    with open(img, "wb") as f:
        f.truncate(32 << 20)
    return img


def test_tgt_dest_spawn_two_processes_one_file(tgt, storlab, workdir):
    """--dest-spawn serves the source's scheme: a second storlab-tgt on the
    same file, started by a shell command, with a vhost-user-scsi controller
    at {sock}."""
    img = backing_file(workdir)
    tgt.rpc("bdev_uring_create", img, "Uring0", 512)
    src = scsi_controller(tgt, "scsi.0", "Uring0")
    out = storlab.json("migrate", "run", "--source", src, "--dest-spawn", spawn_tgt(img), *RUN,
                       "--seed", 8, "--count", 2, "--stop-inflight", timeout=120)
    clean(out, inflight=2 * 8)


@pytest.fixture
def trace(tgt, storlab, workdir):
    """A migration of a vhost-user-scsi device between two controllers of
    storlab-tgt on one bdev, made by `storlab migrate run` through the
    recorder (two connections, four rings, requests in flight at the stop)."""
    tgt.malloc("Malloc0", 32, 512)
    ups = [scsi_controller(tgt, "scsi.%d" % i, "Malloc0").split(":", 1)[1] for i in (0, 1)]
    rec = Recorder(storlab, workdir, ups, count=2)
    uri = "vhost-user-scsi:" + rec.sock
    clean(migrate(storlab, uri, uri, "--seed", 3, "--stop-inflight"), inflight=2 * 8)
    rec.finish()
    return rec.trace


def test_replay_tgt(trace, tgt, storlab):
    """The trace's request queues are its rings 2 and 3: the replay runs the
    guest's I/O there, stops all four rings and holds."""
    dst = scsi_controller(tgt, "scsi.2", "Malloc0")
    out = replay(storlab, trace, "--target", dst)
    assert out["error"] == "" and out["ok"], out["violations"]
    assert out["trace"]["migration"] and out["trace"]["connections"] == 2
    assert len(out["bases"]) == 2 + QUEUES and out["bases"][2:] == out["source_used_idx"]
    assert out["requests"] > 100 and out["switch_ms"] is not None


@pytest.mark.parametrize("after", ["SET_VRING_ENABLE:3", "SET_LOG_BASE:1", "GET_VRING_BASE:1"])
def test_crash_after_tgt(trace, storlab, workdir, after):
    """The spawned storlab-tgt killed after a front-end message and
    restarted: where no request is in flight (a request queue's start,
    logging on) the device is set up again (rings, scan, dirty log, all
    memory copied again); after the controlq's GET_VRING_BASE, with the
    request queues' commands in flight, the restarted target runs them
    again from the in-flight buffer the initiator hands back (without it,
    the crash matrix lost them all there). The replay holds."""
    out = replay(storlab, trace, "--scheme", "vhost-user-scsi", "--spawn-cmd",
                 spawn_tgt(backing_file(workdir)), "--crash-after", after)
    # (No reconnect where the answer beat the kill: the stop was done.)
    assert out["crash"]["happened"] and out["reconnects"] <= 1, out
    assert out["error"] == "" and out["ok"], out["violations"]


def test_rte_vhost_scsi_no_dirty_log_refused(rte_vhost_scsi_factory, storlab):  # noqa: F811
    """DPDK's rte_vhost_scsi peer offers neither VHOST_F_LOG_ALL nor
    LOG_SHMFD: no migration can be proven, so none is run (exit 3), and the
    reason names the missing log."""
    p = rte_vhost_scsi_factory("0,size=16", queues=QUEUES)
    out = migrate(storlab, p.uri, p.uri, "--seed", 1, rc=3)
    run = out["runs"][0]
    assert not run["ok"] and run["requests"] > 0, run
    assert "cannot start dirty logging" in run["error"], run["error"]
    text = storlab("migrate", "run", "--source", p.uri, "--dest", p.uri, "--seed", 1,
                   rc=3)
    assert "could not run" in text.stdout
    assert "offers no dirty log" in text.stderr, text.stderr


def test_schemes_must_match(tgt, storlab):
    tgt.malloc("Malloc0", 32, 512)
    src = scsi_controller(tgt, "scsi.0", "Malloc0")
    blk = tgt.controller("vhost.1", "Malloc0", num_queues=QUEUES)
    out = migrate(storlab, src, blk, "--seed", 1, rc=3)
    assert "one scheme" in out["runs"][0]["error"], out


def test_ci_migrate_kinds(tmp_path):
    """ci/migrate shares its count between blk and scsi controllers (blk
    takes the odd one), sums them up together and per kind; --kind scsi
    runs scsi only."""
    for kind, count, want in (("both", 3, {"blk": 2, "scsi": 1}), ("scsi", 2, {"scsi": 2})):
        out = tmp_path / kind
        p = subprocess.run([str(ROOT / "ci" / "migrate"), "--build", str(BUILD), "--out",
                            str(out), "--count", str(count), "--qd", "8", "--seed", "5",
                            "--kind", kind], capture_output=True, text=True, timeout=120)
        assert_no_san(p.stdout + p.stderr, "ci/migrate")
        assert p.returncode == 0, p.stdout + p.stderr
        runs = json.loads((out / "migrate.json").read_text())["runs"]
        assert {k: sum(r["kind"] == k for r in runs) for k in want} == want, runs
        # One seed each, none repeated across the kinds.
        assert [r["seed"] for r in runs] == list(range(5, 5 + count))
        assert all(len(r["bases"]) == (4 if r["kind"] == "scsi" else 2) for r in runs)
        s = json.loads((out / "migrate-summary.json").read_text())
        assert (s["runs"], s["failed"], s["not_run"]) == (count, 0, 0), s
        assert {k: v["runs"] for k, v in s["kinds"].items()} == want, s["kinds"]
        assert all(v == 0 for v in s["violation_counts"].values()), s
        assert s["switch_ms"]["median"] is not None


def second_round_landed(v, img, queues, qd, bs):
    """A wait_for condition: a write of verify's second round (block queues
    * qd) reached img, so requests completed before and are in flight now."""
    def landed():
        assert v.alive(), "verify ended before the kill:\n" + v.stderr
        with open(img, "rb") as f:
            f.seek(queues * qd * bs)
            return struct.unpack("<Q", f.read(8))[0] == STAMP_MAGIC
    return landed


def crash_verified(r):
    assert (r["result"], r["reconnects"], r["lost"]) == ("pass", 1, 0), r
    assert (r["bad_sectors"], r["io_errors"], r["mismatches"]) == (0, 0, []), r


def test_tgt_crash_resubmits(tgt, storlab, workdir):
    """storlab-tgt's vhost-user-scsi tracks its commands in flight
    (VHOST_USER_PROTOCOL_F_INFLIGHT_SHMFD, every ring): killed with commands
    held by a delay bdev and restarted on the same socket and file, it runs
    them again after the initiator's reconnect, each completes once (the
    phase goes on, nothing redone) and the data reads back."""
    queues, qd, bs, size = QUEUES, 16, 4096, 4 << 20
    img = uring_file(workdir, size=size)

    # The initiator reaches the controller through a link made once its
    # target is there: a restarted target's socket appears before its LUNs
    # (SPDK's RPCs add them to a listening controller), and a driver that
    # resumes does not scan again.
    link = workdir / "scsi.sock"

    def setup():
        tgt.rpc("bdev_uring_create", img, "Uring0", 512)
        tgt.rpc("bdev_delay_create", "-b", "Uring0", "-d", "Slow0", "-r", 20000, "-t", 20000,
                "-w", 20000, "-n", 20000)
        scsi_controller(tgt, "scsi.0", "Slow0")
        os.symlink(tgt.sock("scsi.0"), link)

    setup()
    v = storlab.bg(*verify_args("vhost-user-scsi:%s" % link, queues, qd, bs, size, 2),
                   "--reconnect-timeout", 30)
    wait_for(second_round_landed(v, img, queues, qd, bs), 60, "a write of the second round",
             interval=0.01)
    os.unlink(link)
    tgt.bg.kill(signal.SIGKILL)
    tgt.bg.wait(30)
    tgt.start()
    setup()
    assert v.wait(300) == 0, v.stdout + v.stderr
    r = json.loads(v.stdout)
    crash_verified(r)
    assert r["resubmitted"] > 0, r
    assert "in flight at the last disconnect run again" in tgt.log, tgt.log[-2000:]
    blocks = size // bs
    assert r["per_queue"] == [
        {"queue": k, "requests": 2 * len(range(k, blocks, queues)) * 2,
         "bytes": 2 * len(range(k, blocks, queues)) * 2 * bs} for k in range(queues)], r
    # vhost_get_controller_stats counts them per request queue (storlab-tgt(8)
    # "resubmitted"); the control and event queues carry no command.
    stats = tgt.rpc("vhost_get_controller_stats", "-n", "scsi.0")[0]["queues"]
    resubmitted = [q["resubmitted"] for q in stats]
    assert resubmitted[:2] == [0, 0], stats
    assert 0 < sum(resubmitted) <= r["resubmitted"], (resubmitted, r)


@pytest.mark.parametrize("inflight", [True, False])
def test_rte_vhost_scsi_crash_resubmits(rte_vhost_scsi_factory, storlab, workdir,  # noqa: F811
                                        inflight):
    """The initiator's scsi transport across a back-end crash: DPDK's
    rte_vhost_scsi on a file, each command held 20 ms, killed once writes of
    the second round reached the file, restarted. With --inflight it offers
    VHOST_USER_PROTOCOL_F_INFLIGHT_SHMFD: the transport keeps its requests
    (every ring kept, no rescan), hands the buffer back, and the restarted
    peer runs again what was in flight, each completing once. Without it
    they complete as not connected and verify redoes the phase. Either way
    the data reads back."""
    queues, qd, bs, size = QUEUES, 16, 4096, 4 << 20
    img = uring_file(workdir, size=size)
    peer = rte_vhost_scsi_factory("0,file=%s" % img, queues=queues, delay_us=20000,
                                  inflight=inflight)
    v = storlab.bg(*verify_args(peer.uri, queues, qd, bs, size, 2), "--reconnect-timeout", 30)
    wait_for(second_round_landed(v, img, queues, qd, bs), 60, "a write of the second round",
             interval=0.01)
    peer.kill_restart()
    assert v.wait(300) == 0, v.stdout + v.stderr
    r = json.loads(v.stdout)
    crash_verified(r)
    if inflight:
        assert r["resubmitted"] > 0, r
        assert "SET_INFLIGHT_FD, %d queues of 256" % (2 + queues) in peer.bg.stderr
    else:
        assert r["resubmitted"] == 0, r
