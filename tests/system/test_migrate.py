# SPDX-License-Identifier: MIT
"""storlab migrate run (docs/man/storlab-migrate.md): the VMM emulator migrates
the initiator's device between two back-ends on the same storage while it does
verified I/O, and checks every invariant per request.

storlab-tgt to storlab-tgt passes with no violation (two controllers on one
bdev, two processes on one backing file); each migration switch of
tests/peers/bad_backend is caught with the violation it must cause; a seed
given back repeats the run's decisions; --count sums up.
"""

import json
import subprocess

import pytest

from tests.system.conftest import BUILD, CLI_BIN, ROOT, TGT_BIN, assert_no_san
from tests.system.peers import bad_backend_factory  # noqa: F401 (fixture)

KINDS = ["lost", "duplicate", "stale-data", "stale-page", "index-regression", "late-write",
         "io-error"]
RUN = ["--queues", 2, "--qd", 8, "--rounds", 3, "--round-ms", 15, "--output", "json"]


def migrate(storlab, source, dest, *args, rc=0):
    out = storlab.json("migrate", "run", "--source", source, "--dest", dest, *RUN, *args,
                       rc=rc, timeout=300)
    for run in out["runs"]:
        assert set(run["violation_counts"]) == set(KINDS), run
        assert run["error"] == "", run["error"]
    return out


def clean(out):
    """Every run: no violation, bases given back for both rings, a switch time,
    requests done before and after the switch."""
    for run in out["runs"]:
        assert run["ok"], run["violations"]
        assert all(v == 0 for v in run["violation_counts"].values()), run
        assert len(run["bases"]) == 2 and len(run["source_used_idx"]) == 2
        assert run["switch_ms"] is not None and run["switch_ms"] > 0
        assert run["rounds"] and run["rounds"][0]["pages_copied"] > 0
        assert run["requests"] > 0


def two_controllers(tgt):
    tgt.rpc("bdev_malloc_create", "-b", "Malloc0", 32, 512)
    return (tgt.controller("vhost.0", "Malloc0", num_queues=2),
            tgt.controller("vhost.1", "Malloc0", num_queues=2))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_tgt_two_controllers_one_bdev(tgt, storlab, seed):
    src, dst = two_controllers(tgt)
    clean(migrate(storlab, src, dst, "--seed", seed))


def test_tgt_stop_inflight(tgt, storlab):
    src, dst = two_controllers(tgt)
    out = migrate(storlab, src, dst, "--seed", 11, "--stop-inflight", "--count", 3)
    clean(out)
    # Forced: every queue had its depth in flight when GET_VRING_BASE went out.
    assert all(r["inflight_at_stop"] == 16 for r in out["runs"]), out["runs"]


def test_tgt_two_processes_one_file(tgt_factory, storlab, workdir):
    img = workdir / "shared.img"
    with open(img, "wb") as f:
        f.truncate(32 << 20)
    a, b = tgt_factory(mask="0x1"), tgt_factory(mask="0x2")
    for t in (a, b):
        t.rpc("bdev_uring_create", img, "Uring0", 512)
    src = a.controller("vhost.0", "Uring0", num_queues=2)
    dst = b.controller("vhost.0", "Uring0", num_queues=2)
    clean(migrate(storlab, src, dst, "--seed", 5, "--stop-inflight"))


def test_dest_spawn(tgt, storlab, workdir):
    """--dest-spawn: a second storlab-tgt on the same file, started by a shell
    command (lib/endpoint), serving its controller at {sock}."""
    img = workdir / "shared.img"
    with open(img, "wb") as f:
        f.truncate(32 << 20)
    tgt.rpc("bdev_uring_create", img, "Uring0", 512)
    src = tgt.controller("vhost.0", "Uring0", num_queues=2)
    rpc = '%s rpc -s "$d/rpc.sock"' % CLI_BIN
    cmd = ('d=$(dirname {sock}); %s -m 0x2 -S "$d" -r "$d/rpc.sock" & '
           'while [ ! -S "$d/rpc.sock" ]; do sleep 0.05; done; '
           '%s bdev_uring_create %s U0 512 && '
           '%s vhost_create_blk_controller $(basename {sock}) U0 --num-queues 2 && wait'
           % (TGT_BIN, rpc, img, rpc))
    out = storlab.json("migrate", "run", "--source", src, "--dest-spawn", cmd, *RUN,
                       "--seed", 8, "--count", 2, "--stop-inflight", timeout=300)
    clean(out)


def test_seed_repeats_decisions(tgt, storlab):
    src, dst = two_controllers(tgt)
    one = migrate(storlab, src, dst, "--seed", 42)["runs"][0]
    two = migrate(storlab, src, dst, "--seed", 42)["runs"][0]
    other = migrate(storlab, src, dst, "--seed", 43)["runs"][0]
    assert one["seed"] == two["seed"] == 42
    assert one["decisions"] == two["decisions"]
    assert one["decisions"] != other["decisions"]


def test_count_summary(tgt, storlab):
    src, dst = two_controllers(tgt)
    out = migrate(storlab, src, dst, "--seed", 100, "--count", 20, "--rounds", 2)
    clean(out)
    assert [r["seed"] for r in out["runs"]] == list(range(100, 120))
    s = out["summary"]
    assert (s["runs"], s["failed"], s["not_run"]) == (20, 0, 0)
    assert all(v == 0 for v in s["violation_counts"].values())
    times = sorted(r["switch_ms"] for r in out["runs"])
    assert s["switch_ms"]["median"] == times[9]
    assert s["switch_ms"]["p99"] == times[19]


def test_bad_backend_clean(bad_backend_factory, storlab):  # noqa: F811
    bb = bad_backend_factory(extra=["--logs-writes"])
    clean(migrate(storlab, bb.uri, bb.uri, "--seed", 7, "--stop-inflight"))


# Each switch, and the violation storlab migrate run must name for it.
CAUGHT = {
    "no-used-log": "stale-page",
    "early-vring-base": "lost",
    "used-regress": "index-regression",
}


@pytest.mark.parametrize("switch", sorted(CAUGHT))
def test_bad_backend_switch_caught(switch, bad_backend_factory, storlab):  # noqa: F811
    bb = bad_backend_factory(switch, extra=["--logs-writes"])
    out = migrate(storlab, bb.uri, bb.uri, "--seed", 7, "--stop-inflight", rc=1)
    run = out["runs"][0]
    assert not run["ok"]
    kind = CAUGHT[switch]
    assert run["violation_counts"][kind] > 0, run["violation_counts"]
    named = [v for v in run["violations"] if v["kind"] == kind]
    assert named, run["violations"]
    if kind == "stale-page":
        assert any("used ring" in v["detail"] for v in named), named
    if kind == "lost":
        assert all(v["request"]["to_source"] for v in named), named
    if kind == "index-regression":
        assert all(v["index"]["seen"] < v["index"]["floor"] for v in named), named


def test_usage_and_not_run(storlab, workdir):
    storlab("migrate", "run", "--source", "vhost-user-blk:/x", rc=2)
    storlab("migrate", "run", "--dest", "vhost-user-blk:/x", rc=2)
    p = storlab("migrate", "run", "--source", "vhost-user-blk:%s/none.sock" % workdir,
                "--dest", "vhost-user-blk:%s/none2.sock" % workdir, "--seed", 1, rc=3)
    assert "could not run" in p.stdout


def test_ci_migrate_small(tmp_path):
    """ci/migrate, the nightly's 1000 migrations, with a small count."""
    out = tmp_path / "out"
    p = subprocess.run([str(ROOT / "ci" / "migrate"), "--build", str(BUILD), "--out", str(out),
                        "--count", "3", "--qd", "8"], capture_output=True, text=True,
                       timeout=300)
    assert_no_san(p.stdout + p.stderr, "ci/migrate")
    assert p.returncode == 0, p.stdout + p.stderr
    s = json.loads((out / "migrate-summary.json").read_text())
    assert (s["runs"], s["failed"], s["not_run"], s["qd"], s["queues"]) == (3, 0, 0, 8, 2)
    assert all(v == 0 for v in s["violation_counts"].values())
    assert len(json.loads((out / "migrate.json").read_text())["runs"]) == 3
