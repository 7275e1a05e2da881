# SPDX-License-Identifier: MIT
"""`storlab migrate replay` (docs/man/storlab-migrate.md): a migration that
`storlab migrate run` made through `storlab migrate record` is replayed
against other back-ends with the same invariants.

Against storlab-tgt and qemu-storage-daemon it holds; against each migration
switch of tests/peers/bad_backend it fails with the violation the switch must
cause, and --shrink writes a smaller trace that `show` reads and that still
fails the same way, and replays clean against a back-end that is not broken.
--crash-matrix kills the spawned back-end after each front-end message and
reports each boundary; it refuses a --target it cannot kill."""

import json
import os
import re
import time

import pytest

from conftest import CLI_BIN, TGT_BIN, MiB
from tests.system.peers import PEER_DIR
from tests.system.peers import bad_backend_factory  # noqa: F401 (fixture)
from tests.system.test_migrate_record import Recorder, show

PEER = PEER_DIR / "bad_backend"
KINDS = ["lost", "duplicate", "stale-data", "stale-page", "index-regression", "late-write",
         "io-error"]
# Each switch, and the violation it must cause (as in test_migrate.py).
CAUGHT = {
    "no-used-log": "stale-page",
    "early-vring-base": "lost",
    "used-regress": "index-regression",
}


@pytest.fixture
def trace(tgt, storlab, workdir):
    """A migration of the initiator from storlab-tgt to the same controller
    (the source connection closes before the destination's opens), made by
    `storlab migrate run` through the recorder: two connections, logging,
    both rings stopped with requests in flight."""
    tgt.rpc("bdev_malloc_create", "-b", "Malloc0", 32, 512)
    upstream = tgt.controller("vhost.0", "Malloc0", num_queues=2).split(":", 1)[1]
    rec = Recorder(storlab, workdir, upstream, count=2)
    out = storlab.json("migrate", "run", "--source", rec.uri, "--dest", rec.uri, "--queues", 2,
                       "--qd", 8, "--rounds", 1, "--round-ms", 4, "--seed", 3,
                       "--stop-inflight", "--output", "json", timeout=120)
    assert out["runs"][0]["ok"], out["runs"][0]["violations"]
    rec.finish()
    return rec.trace


def replay(storlab, trace, *args, rc=0):
    out = storlab.json("migrate", "replay", trace, *args, "--output", "json", rc=rc, timeout=120)
    assert set(out["violation_counts"]) == set(KINDS), out
    return out


def held(out):
    """What a user checks: it ran, migrated, did I/O on both sides, and no
    invariant broke."""
    assert out["error"] == "", out["error"]
    assert out["ok"], out["violations"]
    assert out["trace"]["migration"] and out["trace"]["connections"] == 2
    assert len(out["bases"]) == 2 and out["switch_ms"] is not None
    assert out["requests"] > 100


def test_replay_tgt(trace, tgt_factory, storlab):
    other = tgt_factory(subdir="other")
    other.rpc("bdev_malloc_create", "-b", "Malloc0", 32, 512)
    out = replay(storlab, trace, "--target", other.controller("vhost.0", "Malloc0",
                                                                num_queues=2))
    held(out)
    # The layout and set-up of the trace: its rings, its negotiation.
    assert out["features"] == out["trace"]["features"]
    # Same trace, same seed: the same requests.
    again = replay(storlab, trace, "--target", other.uri("vhost.0"))
    assert again["requests"] == out["requests"]


def held_but_late(out):
    """qemu-storage-daemon 7.2 holds, but for its known deviation
    (docs/conformance/known-deviations.md, "Migration"): on some runs it
    answers GET_VRING_BASE with requests still in flight and completes them
    after, writing their data, status bytes and used entries into the
    stopped source's memory (late-write; stale-page where that came after
    the final copy), and those requests are lost; where the driver had read
    those used entries, the destination, starting from the used index the
    copy holds, writes them again (index-regression). Nothing else may
    break: no duplicate, no stale data, no error."""
    if out["ok"]:
        held(out)
        return
    assert out["error"] == "", out["error"]
    kinds = {v["kind"] for v in out["violations"]}
    assert kinds <= {"late-write", "stale-page", "lost", "index-regression"}, out["violations"]
    # The cause is there: the stopped source wrote guest memory.
    assert kinds & {"late-write", "stale-page"}, out["violations"]


def test_replay_qsd(trace, qsd_factory, storlab):
    q = qsd_factory(size=32 * MiB)
    held_but_late(replay(storlab, trace, "--target", q.uri, rc=None))


@pytest.mark.parametrize("switch", sorted(CAUGHT))
def test_replay_bad_backend_and_shrink(switch, trace, bad_backend_factory, storlab,  # noqa: F811
                                       workdir):
    bb = bad_backend_factory(switch, size_mb=32, extra=["--logs-writes"])
    kind = CAUGHT[switch]
    small = workdir / ("min-%s.pcapng" % switch)
    # A lost request is given up after --io-timeout: short, for a shrink's
    # many replays.
    p = storlab("migrate", "replay", trace, "--target", bb.uri, "--shrink", small,
                "--io-timeout", 300, rc=1, timeout=300)
    assert "shrink: " in p.stdout and "fails the same way" in p.stdout, p.stdout
    out = replay(storlab, trace, "--target", bb.uri, rc=1)
    assert out["violation_counts"][kind] > 0, out["violation_counts"]
    # Smaller, readable, and failing the same way.
    whole, less = show(storlab, trace), show(storlab, small)
    assert len(less) < len(whole)
    assert sum(r["type"] == "message" for r in less) < sum(r["type"] == "message"
                                                           for r in whole)
    again = replay(storlab, small, "--target", bb.uri, rc=1)
    assert again["violation_counts"][kind] > 0, again["violation_counts"]
    # Not a trace that fails anywhere: a back-end without the switch holds.
    good = bad_backend_factory(size_mb=32, extra=["--logs-writes"])
    held_small = replay(storlab, small, "--target", good.uri)
    assert held_small["ok"], held_small["violations"]


def test_crash_matrix_needs_a_spawned_backend(trace, tgt, storlab):
    p = storlab("migrate", "replay", trace, "--target", tgt.uri("vhost.0"), "--crash-matrix",
                rc=2)
    assert "--spawn-cmd" in p.stderr
    # --crash-stride samples a matrix: not without one.
    p = storlab("migrate", "replay", trace, "--spawn-cmd", "true {sock}", "--crash-stride", 3,
                rc=2)
    assert "--crash-stride samples --crash-matrix" in p.stderr, p.stderr


def spawn_tgt(img):
    """A storlab-tgt on a backing file (its data outlives a kill) serving
    one controller at {sock}."""
    rpc = '%s rpc -s "$d/rpc.sock"' % CLI_BIN
    return ('d=$(dirname {sock}); rm -f "$d/rpc.sock"; %s -m 0x2 -S "$d" -r "$d/rpc.sock" & '
            'while [ ! -S "$d/rpc.sock" ]; do sleep 0.05; done; '
            '%s bdev_uring_create %s U0 512 && '
            '%s vhost_create_blk_controller $(basename {sock}) U0 --num-queues 2 && wait'
            % (TGT_BIN, rpc, img, rpc))


def received(log):
    """The vhost-user requests a storlab-tgt received, in order (its debug log)."""
    return re.findall(r"\b(VHOST_USER_[A-Z_]+) size \d+ fds \d+$", log, re.M)


def test_crash_matrix_tgt(trace, tgt_factory, storlab, workdir):
    """storlab-tgt on a file, killed after a front-end message of the replay
    and started again: every invariant holds at every boundary (the full
    matrix, STORLAB_CRASH_MATRIX=full) or at each of crash_sample's (CI)."""
    img = workdir / "matrix.img"
    with open(img, "wb") as f:
        f.truncate(32 << 20)
    if not full_matrix():
        other = tgt_factory(extra=["-L", "debug"], subdir="sent")
        other.rpc("bdev_malloc_create", "-b", "Malloc0", 32, 512)
        out = replay(storlab, trace, "--target", other.controller("vhost.0", "Malloc0",
                                                                   num_queues=2))
        assert out["error"] == "" and out["ok"], (out["error"], out["violations"])
        sent = received(other.log)
        # storlab-tgt tracks its requests in flight (INFLIGHT_SHMFD): a kill
        # anywhere, the stop included, loses nothing; its file keeps the data.
        assert "VHOST_USER_SET_INFLIGHT_FD" in sent, sent
        crash_sample_holds(storlab, trace, spawn_tgt(img), sent)
        return
    started = time.monotonic()
    p = storlab("migrate", "replay", trace, "--spawn-cmd", spawn_tgt(img), "--crash-matrix",
                "--output", "json", rc=0, timeout=600)
    took = time.monotonic() - started
    rows, s = matrix(p)
    # storlab-tgt tracks its requests in flight (INFLIGHT_SHMFD): a kill
    # anywhere, the stop included, loses nothing; its file keeps the data.
    assert any(r["after"] == "VHOST_USER_SET_INFLIGHT_FD" for r in rows)
    assert s["ok"] == s["boundaries"], [r for r in rows if not r["ok"]]
    # The matrix's own report of its time, next to ours.
    assert 0 < s["seconds"] <= took
    print("crash matrix of %d boundaries: %.1f s" % (len(rows), took))


def matrix(p, stride=1):
    """The JSON of a crash matrix: one replay per front-end message (with
    --crash-stride STRIDE: after messages 1, 1+STRIDE, ... and the last),
    each with the kill where asked and one reconnect."""
    out = json.loads(p.stdout)
    assert out["baseline"]["error"] == "", out["baseline"]["error"]
    rows, s = out["boundaries"], out["summary"]
    assert s["stride"] == stride and s["messages"] > 20, s
    picked = list(range(1, s["messages"], stride)) + [s["messages"]]
    assert [r["k"] for r in rows] == picked and s["boundaries"] == len(picked), rows
    assert all(r["after"].startswith("VHOST_USER_") and r["reconnects"] == 1 for r in rows)
    assert s["ok"] + s["failed"] + s["not_run"] == s["boundaries"]
    assert s["not_run"] == 0, [r for r in rows if r["error"]]
    return rows, s


# Boundaries crashed in CI where a test samples a crash matrix (the full
# one: STORLAB_CRASH_MATRIX=full, ci/crash-matrices).
CRASH_SAMPLES = 6


def full_matrix():
    return os.environ.get("STORLAB_CRASH_MATRIX") == "full"


def crash_sample(sent):
    """(request, nth) of the boundaries after the messages SENT (a replay's
    front-end messages, in order) that CI crashes: a strided sample, the
    first and the last included, the first SET_INFLIGHT_FD, the first
    SET_LOG_BASE (logging on) and each GET_VRING_BASE after it (the stop)."""
    seen, bounds = {}, []
    for req in sent:
        seen[req] = seen.get(req, 0) + 1
        bounds.append((req, seen[req]))
    assert len(bounds) > 20, "the replay sent %s" % sent
    log_on = ("VHOST_USER_SET_LOG_BASE", 1)
    assert log_on in bounds, "the replay sent no SET_LOG_BASE: %s" % sent
    stops = [b for b in bounds[bounds.index(log_on):] if b[0] == "VHOST_USER_GET_VRING_BASE"]
    assert stops, "the replay stopped no ring after logging on: %s" % sent
    stride = max(1, (len(bounds) - 1) // (CRASH_SAMPLES - 1))
    picked = set(bounds[::stride] + bounds[-1:] + [log_on] + stops +
                 [("VHOST_USER_SET_INFLIGHT_FD", 1)])
    return [b for b in bounds if b in picked]


def crash_sample_holds(storlab, trace, spawn_cmd, sent):
    """The trace replayed against the back-end SPAWN_CMD starts, killed after
    each boundary of crash_sample(SENT) in turn (--crash-after) as a crash
    matrix does at that boundary: each replay holds, after one reconnect."""
    picked = crash_sample(sent)
    for req, nth in picked:
        at = "%s:%d" % (req, nth)
        out = replay(storlab, trace, "--spawn-cmd", spawn_cmd, "--crash-after", at)
        assert out["error"] == "" and out["ok"], (at, out["error"], out["violations"])
        assert out["crash"] == {"after": req, "nth": nth, "happened": True}, (at, out["crash"])
        assert out["reconnects"] == 1, (at, out["reconnects"])
    print("crashed after %d of %d boundaries, all ok" % (len(picked), len(sent)))


def lose_inflight_cmd(img, slow_us):
    """bad_backend lose-inflight on a file (its data outlives a kill: only
    the lost requests can fail), slow enough that the kill finds requests
    in flight."""
    return ("%s --socket {sock} --size 32 --queues 2 --logs-writes --slow-us %d --file %s "
            "--break lose-inflight" % (PEER, slow_us, img))


# The stride of a sampled crash matrix in CI (--crash-stride): a kill after
# messages 1, 10, 19, ... and the last of a replay's ~50.
CRASH_STRIDE = 9


def test_crash_matrix_lose_inflight(trace, storlab, workdir):
    """bad_backend lose-inflight takes the in-flight region and never runs its
    requests again: a kill while the rings stop (requests in flight, slow
    completions so that the kill finds them) loses them; a kill anywhere
    else costs nothing, its storage being a file. The full matrix
    (STORLAB_CRASH_MATRIX=full), or in CI a strided one (--crash-stride)
    and the kill after each ring's stop (--crash-after, as the matrix makes
    it at that boundary)."""
    cmd = lose_inflight_cmd(workdir / "bb.img", 300)
    if full_matrix():
        p = storlab("migrate", "replay", trace, "--spawn-cmd", cmd, "--crash-matrix",
                    "--io-timeout", 1000, "--output", "json", rc=1, timeout=600)
        rows, s = matrix(p)
    else:
        p = storlab("migrate", "replay", trace, "--spawn-cmd", cmd, "--crash-matrix",
                    "--crash-stride", CRASH_STRIDE, "--io-timeout", 1000, "--output", "json",
                    rc=None, timeout=600)
        rows, s = matrix(p, CRASH_STRIDE)
        assert p.returncode == (1 if s["failed"] else 0), p.stderr
        for nth in (1, 2):
            out = replay(storlab, trace, "--spawn-cmd", cmd, "--crash-after",
                         "GET_VRING_BASE:%d" % nth, "--io-timeout", 1000, rc=None)
            assert out["error"] == "" and out["crash"] == {
                "after": "VHOST_USER_GET_VRING_BASE", "nth": nth, "happened": True}, out
            assert out["reconnects"] == 1, out
            rows.append(dict(out["crash"], ok=out["ok"],
                             violation_counts=out["violation_counts"]))
    lost = [r for r in rows if r["violation_counts"]["lost"]]
    assert lost and s["boundaries_by_kind"]["lost"] == len(
        [r for r in lost if "k" in r]), rows
    assert {r["after"] for r in lost} == {"VHOST_USER_GET_VRING_BASE"}, lost
    # One of the two rings' stops, or both: whether the kill finds a ring's
    # requests still in flight is a race with its drain.
    assert {r["nth"] for r in lost} <= {1, 2}, lost
    assert all(r["ok"] for r in rows if r not in lost), [r for r in rows if r not in lost]


def test_crash_after_and_shrink(trace, storlab, workdir):
    """--crash-after names one boundary of the matrix (the kill after the
    first GET_VRING_BASE, where lose-inflight loses requests); with --shrink
    the smaller traces are replayed with that crash too, down to one that
    still loses requests there, and that storlab-tgt on a file, killed at
    the same point, replays clean."""
    cmd = lose_inflight_cmd(workdir / "bb.img", 1000)
    small = workdir / "min-crash.pcapng"
    p = storlab("migrate", "replay", trace, "--spawn-cmd", cmd, "--crash-after",
                "GET_VRING_BASE:1", "--io-timeout", 1000, "--shrink", small, rc=1, timeout=600)
    assert ("crash: the back-end killed after VHOST_USER_GET_VRING_BASE #1 and restarted"
            in p.stdout), p.stdout
    assert "fails the same way" in p.stdout and "written to" in p.stdout, p.stdout
    assert len(show(storlab, small)) < len(show(storlab, trace))
    # The kill lands right after GET_VRING_BASE is sent: whether the
    # back-end had taken the requests made available just before (then
    # they are lost) is a race, so the reproducer is run until one run
    # loses them, eight times at most (a loaded machine loses the race
    # more often: three runs were not always enough there).
    runs = []
    while len(runs) < 8 and not any(r["violation_counts"]["lost"] > 0 for r in runs):
        runs.append(replay(storlab, small, "--spawn-cmd", cmd, "--crash-after",
                           "GET_VRING_BASE:1", "--io-timeout", 1000, rc=None))
    assert all(r["crash"] == {"after": "VHOST_USER_GET_VRING_BASE", "nth": 1,
                              "happened": True} for r in runs), [r["crash"] for r in runs]
    assert any(r["violation_counts"]["lost"] > 0 for r in runs), [
        r["violation_counts"] for r in runs]
    img = workdir / "tgt.img"
    with open(img, "wb") as f:
        f.truncate(32 << 20)
    good = replay(storlab, small, "--spawn-cmd", spawn_tgt(img), "--crash-after",
                  "GET_VRING_BASE:1")
    # (No reconnect where the answer beat the kill: the source was done.)
    assert good["ok"] and good["crash"]["happened"], good


def test_crash_after_refusals(trace, tgt, storlab, workdir):
    """--crash-after needs a back-end the replay starts, a request name, and
    a message the replay sends (else it says so and exits 3)."""
    p = storlab("migrate", "replay", trace, "--target", tgt.uri("vhost.0"), "--crash-after",
                "GET_VRING_BASE", rc=2)
    assert "--spawn-cmd" in p.stderr, p.stderr
    cmd = lose_inflight_cmd(workdir / "bb.img", 0)
    p = storlab("migrate", "replay", trace, "--spawn-cmd", cmd, "--crash-after", "NO_SUCH:1",
                rc=2)
    assert "--crash-after" in p.stderr, p.stderr
    storlab("migrate", "replay", trace, "--spawn-cmd", cmd, "--crash-after", "GET_VRING_BASE:0",
            rc=2)
    p = storlab("migrate", "replay", trace, "--spawn-cmd", cmd, "--crash-after",
                "GET_VRING_BASE:9", rc=3)
    assert "sent no VHOST_USER_GET_VRING_BASE #9" in p.stderr, p.stderr
