# SPDX-License-Identifier: MIT
"""Each virtio-scsi conformance case is shown to fail: bad_scsi
(tests/peers/bad_scsi, docs/peers.md) breaks one requirement per --break
switch, and `storlab conform` must then fail exactly the cases the switch
names, and only they, as test_conform_proof.py does for bad_backend. The
hot-plug cases need the run's hot-plug hook, which bad_scsi has none of:
each is proven by mutants of storlab-tgt instead (tests/mutants, run by
`make mutants`, whose scsi exports hot-plug over RPC), named below.

The switch table is the peer's own (`bad_scsi --list --json`). Per switch
this runs the targets, their neighbours in `storlab conform --list` order and
a sample of every area; the targets must be caught (FAIL, ERROR, or
"advisory not met"), every other case pass or be N/A. Without a switch,
bad_scsi must pass every applicable case of the suite, and every case must
be the target of some switch.
"""

import re

import sys

import pytest

from conform_report import PASSED
from conftest import ROOT
from peers import Peer, _factory
from test_conform_proof import (case_list, conform, neighbours, prove_switch, show,  # noqa: F401
                                switch_table)

sys.path.insert(0, str(ROOT / "ci"))
import mutant_set  # noqa: E402

# Cases proven by mutants, not switches: the mutants whose Expected names them.
MUTANT_PROVEN = {
    "SCSI-EVT-004": ("scsi-evt-rescan-as-removed", "scsi-evt-lun-first-byte"),
    "SCSI-EVT-005": ("scsi-evt-remove-silent",),
    "SCSI-EVT-006": ("scsi-evt-missed-unflagged",),
}
SAMPLE = ("SCSI-CFG-001", "SCSI-REQ-001", "SCSI-REQ-009", "SCSI-CDB-001", "SCSI-CDB-012",
          "SCSI-CDB-031", "SCSI-TMF-001", "SCSI-TMF-002", "SCSI-EVT-001")


@pytest.fixture
def bad_scsi_factory(workdir):
    """bad_scsi_factory(*breaks, size_mb=64, luns=2, extra=())."""

    def make(n, *breaks, size_mb=64, luns=2, extra=()):
        args = ["--size", size_mb, "--luns", luns] + list(extra)
        for b in breaks:
            args += ["--break", b]
        return Peer("bad_scsi", workdir, args, "bsc%d" % n)

    yield from _factory(workdir, make)


SWITCHES = switch_table("bad_scsi")


def scsi_ids(case_list):  # noqa: F811
    return [c[0] for c in case_list if c[0].startswith("SCSI-")]


def test_switch_table(case_list):  # noqa: F811
    ids = scsi_ids(case_list)
    names = [s["name"] for s in SWITCHES]
    assert len(names) == len(set(names)), names
    targeted = set()
    for s in SWITCHES:
        assert s["targets"], s
        unknown = set(s["targets"]) - set(ids)
        assert not unknown, "%s targets unknown cases %s" % (s["name"], sorted(unknown))
        targeted |= set(s["targets"])
    # Every case of the suite is made to fail by some switch, or by the
    # mutants that name it.
    assert sorted(set(ids) - targeted - set(MUTANT_PROVEN)) == [], "cases no switch fails"
    mutants = {m.name: m for m in mutant_set.load(str(ROOT / "tests" / "mutants"))}
    for case, proof in MUTANT_PROVEN.items():
        assert case in ids, case
        for n in proof:
            assert case in mutants[n].expected, (n, mutants[n].expected)
    assert set(SAMPLE) <= set(ids)
    # docs/peers.md's bad_scsi table rows: | SCSI-... | `switch` | ... |
    doc = (ROOT / "docs" / "peers.md").read_text()
    table = re.findall(r"^\| SCSI-[A-Z0-9, -]+ \| `([a-z0-9-]+)` \|", doc, re.M)
    assert sorted(table) == sorted(names), "docs/peers.md and `bad_scsi --list` disagree"


def test_no_switch_passes_everything(bad_scsi_factory, storlab):
    cases = conform(storlab, bad_scsi_factory(extra=["--queues", 2]), [])
    # The hot-plug cases are N/A without a hook, and say so.
    bad = [i for i, c in cases.items() if c["verdict"] not in PASSED and not (
        i in MUTANT_PROVEN and c["verdict"] == "not_applicable" and "hot-plug hook" in c["reason"])]
    assert not bad, "a correct bad_scsi does not pass:\n" + show(cases, bad)


@pytest.mark.parametrize("switch", SWITCHES, ids=[s["name"] for s in SWITCHES])
def test_switch_fails_its_cases_only(switch, case_list, bad_scsi_factory, storlab):  # noqa: F811
    targets = switch["targets"]
    others = [c for c in dict.fromkeys(neighbours(case_list, targets) + list(SAMPLE))
              if c not in targets]
    prove_switch(switch, others, bad_scsi_factory, storlab, "bad_scsi")
