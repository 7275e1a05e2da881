# SPDX-License-Identifier: MIT
"""`storlab conform` against an NVMe controller over vfio-user, end to end:
`--spawn-tgt --suite nvme` serves one itself (storlab-tgt, a malloc
namespace, its subsystem's VFIOUSER listener) and every MUST case passes;
`--target nvme-vfio-user:DIR/cntrl` tests one a user set up, with the
namespace hot-plug cases driven by `--hotplug-cmd` ({target} 0, {lun} the
NSID). The suite grows: nothing here counts its cases; the hot-plug cases
are those whose trace shows the hook being called."""

import json
import re
import shlex
import subprocess

import pytest

from conform_report import PASSED, all_cases
from conftest import CLI_BIN, assert_no_san, need_binary

NQN = "nqn.2016-06.io.spdk:cnode1"
# The runner's note in a case's trace for each call of the hot-plug hook
# (conformance/ctx.c conform_hotplug).
HOOK_NOTE = "note: hot-plug: "
# The MUST cases storlab-tgt's controller makes not applicable, and why:
# what it offers rules them out (a flush of every namespace is served).
NOT_APPLICABLE = {"NVME-IO-027": "VWC FB is 11b"}


def listed(storlab, suite):
    """{id: level} of SUITE's cases, as `--list` gives them."""
    cases = storlab.json("conform", "--list", "--json", "--suite", suite)["cases"]
    return {c["id"]: c["level"] for c in cases}


def report_of(d):
    rep = json.loads((d / "report.json").read_text())
    return rep, all_cases(rep)


def hooked(cases):
    """The cases that called the hot-plug hook."""
    return sorted(i for i, c in cases.items() if any(HOOK_NOTE in t for t in c["trace"]))


@pytest.fixture(scope="module")
def spawned(tmp_path_factory):
    """One `storlab conform --spawn-tgt` run of both suites of the
    vfio-user transport (nvme, vfio-user) for the tests below: (its exit
    code, stderr, report.json, {id: case}, the report directory)."""
    d = tmp_path_factory.mktemp("nvme-spawn") / "rep"
    p = subprocess.run([str(need_binary(CLI_BIN)), "conform", "--spawn-tgt", "--suite", "nvme",
                        "--suite", "vfio-user", "--report-dir", str(d)], capture_output=True,
                       text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert_no_san(p.stderr, "storlab conform --spawn-tgt --suite nvme --suite vfio-user")
    assert (d / "report.json").exists(), p.stderr
    rep, cases = report_of(d)
    return p.returncode, p.stderr, rep, cases, d


def test_spawn_tgt_suite(spawned, storlab):
    """Every case of both suites ran, every MUST case passed (or is one of
    NOT_APPLICABLE, for its reason), none errored, and the target it
    spawned was an NVMe one with a clean log."""
    rc, err, rep, cases, d = spawned
    assert [s["name"] for s in rep["suites"]] == ["nvme", "vfio-user"], rep["suites"]
    levels = dict(listed(storlab, "nvme"), **listed(storlab, "vfio-user"))
    assert sorted(cases) == sorted(levels)
    errors = ["%s: %s" % (i, c["reason"]) for i, c in sorted(cases.items())
              if c["verdict"] == "error"]
    assert not errors, "\n".join(errors)
    bad = ["%s %s: %s" % (i, c["verdict"], c["reason"]) for i, c in sorted(cases.items())
           if levels[i] == "MUST" and c["verdict"] != "pass" and not (
               c["verdict"] == "not_applicable" and NOT_APPLICABLE.get(i, "\0") in c["reason"])]
    assert not bad, "\n".join(bad)
    assert rc == 0, err
    log = (d / "storlab-tgt.log").read_text()
    assert_no_san(log, "storlab-tgt (--spawn-tgt)")
    assert re.search(r"vfio-user: \S+/cntrl: client attached", log), log


def test_spawn_tgt_hotplug(spawned):
    """--spawn-tgt has a hot-plug hook of its own: a case that hot-plugs a
    namespace calls it (target 0) and is not N/A."""
    _, _, _, cases, _ = spawned
    hot = hooked(cases)
    if not hot:
        pytest.skip("no case of the nvme suite hot-plugs a namespace yet")
    for i in hot:
        c = cases[i]
        assert c["verdict"] in PASSED, (i, c["verdict"], c["reason"])
        calls = [t for t in c["trace"] if HOOK_NOTE in t]
        assert all("of target 0" in t for t in calls), calls
        assert not [t for t in c["trace"] if "hot-plug failed" in t], c["trace"]


@pytest.fixture
def nvme_uri(tgt):
    """A storlab-tgt set up by hand as a user would (nvme-vfio-user:)."""
    d = tgt.workdir / "vfu"
    d.mkdir()
    tgt.rpc("nvmf_create_transport", "-t", "VFIOUSER")
    tgt.malloc("M0", 32, 512)
    tgt.rpc("nvmf_create_subsystem", NQN, "-a", "-s", "SNTEST0001", "-d", "storlab test")
    tgt.rpc("nvmf_subsystem_add_ns", NQN, "M0", "-n", "1")
    tgt.rpc("nvmf_subsystem_add_listener", NQN, "-t", "VFIOUSER", "-a", str(d), "-s", "0")
    return "nvme-vfio-user:%s/cntrl" % d


def test_target_hotplug_cmd(spawned, tgt, nvme_uri, storlab, workdir):
    """--target with --hotplug-cmd: the hot-plug cases call the command
    with target 0 and an NSID, pass, and leave the subsystem as it was;
    without the command they are N/A and say why."""
    hot = hooked(spawned[3])
    if not hot:
        pytest.skip("no case of the nvme suite hot-plugs a namespace yet")
    calls = workdir / "calls"
    rpc = "%s rpc -s %s" % (shlex.quote(str(CLI_BIN)), shlex.quote(str(tgt.rpc_sock)))
    # A namespace the command did not add has no bdev HP<NSID> to delete.
    cmd = ("echo {action} {target} {lun} >> %s && if [ {action} = add ]; then "
           "%s bdev_malloc_create -b HP{lun} 1 512 && %s nvmf_subsystem_add_ns %s HP{lun} "
           "-n {lun}; else %s nvmf_subsystem_remove_ns %s {lun} && "
           "{ %s bdev_malloc_delete HP{lun} 2>/dev/null || true; }; fi"
           % (calls, rpc, rpc, NQN, rpc, NQN, rpc))
    sel = [a for i in hot for a in ("--case", i)]
    d = workdir / "with"
    storlab("conform", "--target", nvme_uri, "--hotplug-cmd", cmd, "--report-dir", d, *sel,
            rc=0, timeout=120)
    _, cases = report_of(d)
    bad = ["%s %s: %s" % (i, c["verdict"], c["reason"]) for i, c in sorted(cases.items())
           if c["verdict"] not in PASSED]
    assert not bad, "\n".join(bad)
    seen = [line.split() for line in calls.read_text().splitlines()]
    assert seen and all(t == "0" and a in ("add", "remove") for a, t, _ in seen), seen
    [s] = [s for s in tgt.rpc("nvmf_get_subsystems") if s["nqn"] == NQN]
    assert [ns["nsid"] for ns in s["namespaces"]] == [1], s["namespaces"]
    d = workdir / "without"
    storlab("conform", "--target", nvme_uri, "--report-dir", d, *sel, rc=0, timeout=120)
    _, cases = report_of(d)
    na = {i: (c["verdict"], c["reason"]) for i, c in cases.items()
          if c["verdict"] != "not_applicable" or not c["reason"]}
    assert not na, na
    assert tgt.alive()


def test_spawn_tgt_by_case(spawned, storlab, workdir):
    """A --case of the nvme suite alone (one that passed in the whole run)
    is enough for --spawn-tgt to serve NVMe."""
    cid = min(i for i, c in spawned[3].items() if c["verdict"] in PASSED)
    d = workdir / "rep"
    storlab("conform", "--spawn-tgt", "--case", cid, "--report-dir", d, rc=0, timeout=60)
    rep, cases = report_of(d)
    assert sorted(cases) == [cid] and cases[cid]["verdict"] in PASSED, cases


@pytest.mark.parametrize("other", [("--suite", "virtio-blk"), ("--case", "SCSI-CFG-001")])
def test_spawn_tgt_mixed_transports(storlab, other):
    """nvme beside a suite or case of another transport: --spawn-tgt serves
    its default, vhost-user-blk, and the run names the suite it cannot run
    there (exit 2); each transport's suites run apart."""
    p = storlab("conform", "--spawn-tgt", "--suite", "nvme", *other, rc=2, timeout=60)
    assert "suite 'nvme' talks vfio-user, not the target's vhost-user" in p.stderr, p.stderr
