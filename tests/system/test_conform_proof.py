# SPDX-License-Identifier: MIT
"""Each conformance case is shown to fail: bad_backend (tests/peers/bad_backend,
docs/peers.md) breaks one requirement per --break switch, and `storlab conform`
must then fail exactly the cases the switch names, and only they.

The switch table is the peer's own (`bad_backend --list --json`: name, the
target case IDs, the requirement broken). Per switch this runs the targets, the
cases next to each target in `storlab conform --list` order (same area, so a
switch that is too wide shows), and a fixed sample spread over both suites;
the targets must be caught (FAIL or ERROR; of an advisory, "advisory not
met", which never fails a run but shows the defect all the same), every
other case pass (an advisory: met) or be N/A (the run without a switch shows
that they pass on a correct device). Without a switch, bad_backend must pass
every applicable case of both suites.
"""

import json
import subprocess

import pytest

from conform_report import CAUGHT, PASSED, all_cases, parse_list
from conftest import CLI_BIN, need_binary
from peers import PEER_DIR, bad_backend_factory  # noqa: F401

# The wait for each reply: short, as several targets are "no answer" cases.
TIMEOUT_MS = 500
# Cases of every area of both suites that a correct bad_backend passes.
SAMPLE = ("VHOST-FEAT-001", "VHOST-ACK-003", "VHOST-MEM-001", "VHOST-RING-003", "VHOST-MQ-001",
          "VHOST-CFG-001", "VHOST-MSG-013", "VHOST-CONN-001", "VHOST-RING-008",
          "BLK-CFG-001", "BLK-RW-001", "BLK-RW-005", "BLK-RW-023", "BLK-LAY-006", "BLK-ID-001",
          "BLK-DWZ-005", "BLK-Q-005")
# Need VIRTIO_BLK_F_RO: pass against `bad_backend --readonly` only.
READONLY_CASES = ("BLK-RW-021", "BLK-RW-024", "BLK-DWZ-013")
# Targets that are N/A against a correct bad_backend, which offers FLUSH: only
# a switch that drops the offer (flush-without-feature) makes them apply.
NEEDS_NO_FLUSH = ("BLK-RW-015",)


def switch_table(peer="bad_backend"):
    """The switches PEER lists (--list --json): name, targets, args, breaks."""
    p = subprocess.run([str(need_binary(PEER_DIR / peer)), "--list", "--json"],
                       capture_output=True, text=True, timeout=10)
    assert p.returncode == 0, p.stderr
    table = json.loads(p.stdout)
    for s in table:
        assert set(s) == {"name", "targets", "args", "breaks"}, s
    return table


SWITCHES = switch_table()
# A switch whose breakage the runner's probe catches (VHOST-FEAT-006: the
# probe asks GET_PROTOCOL_FEATURES before any SET_FEATURES): no case runs.
PROBE = ["probe"]


@pytest.fixture(scope="module")
def case_list():
    """[(id, level)] in `storlab conform --list` order."""
    out = subprocess.run([str(need_binary(CLI_BIN)), "conform", "--list"], capture_output=True,
                         text=True, timeout=30, check=True).stdout
    return [c[:2] for c in parse_list(out)]


def conform(storlab, peer, ids):
    """Runs `storlab conform` on IDS (all cases if empty); {id: case}. Checks the
    exit code against the MUST cases that failed."""
    args = ["conform", "--target", peer.uri, "--timeout", TIMEOUT_MS, "--json"]
    for cid in ids:
        args += ["--case", cid]
    p = storlab(*args, rc=None, timeout=120)
    assert p.returncode in (0, 1), "storlab conform exited %d:\n%s" % (p.returncode, p.stderr)
    rep = json.loads(p.stdout)
    cases = all_cases(rep)
    if ids:
        assert sorted(cases) == sorted(ids), "ran %s, asked %s" % (sorted(cases), sorted(ids))
    # Exit 1 exactly when a MUST case failed or errored (storlab-conform(1)).
    must_bad = [c["id"] for c in cases.values()
                if c["level"] == "MUST" and c["verdict"] in ("fail", "error")]
    assert p.returncode == (1 if must_bad else 0), (p.returncode, must_bad)
    return cases


def show(cases, ids):
    return "\n".join("  %s %s: %s" % (i, cases[i]["verdict"].upper(), cases[i]["reason"])
                     for i in ids)


def test_switch_table(case_list):
    ids = [c[0] for c in case_list]
    names = [s["name"] for s in SWITCHES]
    assert len(names) == len(set(names)), names
    for s in SWITCHES:
        if s["targets"] == PROBE:
            continue
        unknown = set(s["targets"]) - set(ids)
        assert not unknown, "%s targets unknown cases %s" % (s["name"], sorted(unknown))
        assert len(s["targets"]) == len(set(s["targets"])), s
    assert set(SAMPLE) <= set(ids) and set(READONLY_CASES) <= set(ids)


def test_no_switch_passes_everything(bad_backend_factory, storlab):
    peer = bad_backend_factory()
    cases = conform(storlab, peer, [])
    bad = [i for i, c in cases.items() if c["verdict"] not in PASSED + ("not_applicable",)]
    assert not bad, "a correct bad_backend fails:\n" + show(cases, bad)
    assert all(cases[i]["verdict"] in PASSED for i in SAMPLE), show(cases, SAMPLE)
    # Every switch's targets are shown to pass here, so their failure below is
    # the switch's doing (the read-only one: in the next test; NEEDS_NO_FLUSH
    # passes against no-flush, whose target is another case).
    targets = {t for s in SWITCHES if not s["args"] and s["targets"] != PROBE
               for t in s["targets"]}
    targets -= set(READONLY_CASES + NEEDS_NO_FLUSH)
    not_run = sorted(t for t in targets if cases[t]["verdict"] not in PASSED)
    assert not not_run, "targets not applicable without a switch:\n" + show(cases, not_run)


def test_no_switch_readonly(bad_backend_factory, storlab):
    peer = bad_backend_factory(readonly=True)
    ids = list(READONLY_CASES) + ["BLK-RW-001", "BLK-RW-003"]   # these become N/A or pass
    cases = conform(storlab, peer, ids)
    bad = [i for i in ids if cases[i]["verdict"] in CAUGHT]
    assert not bad, "a correct read-only bad_backend fails:\n" + show(cases, bad)
    assert all(cases[i]["verdict"] in PASSED for i in READONLY_CASES), show(cases,
                                                                            READONLY_CASES)


def neighbours(case_list, targets):
    """The cases right before and after each target, in the same suite's area."""
    ids = [c[0] for c in case_list]
    out = []
    for t in targets:
        i = ids.index(t)
        for j in (i - 1, i + 1):
            if 0 <= j < len(ids) and ids[j].split("-")[:2] == t.split("-")[:2]:
                out.append(ids[j])
    return out


def test_no_flush_leaves_rw_015(bad_backend_factory, storlab):
    # NEEDS_NO_FLUSH passes on a device that does not offer FLUSH and answers
    # it UNSUPP: flush-without-feature's failure of it is that switch's doing.
    peer = bad_backend_factory("no-flush")
    cases = conform(storlab, peer, list(NEEDS_NO_FLUSH))
    assert all(cases[i]["verdict"] in PASSED for i in NEEDS_NO_FLUSH), show(cases,
                                                                            NEEDS_NO_FLUSH)


@pytest.mark.parametrize("switch", SWITCHES, ids=[s["name"] for s in SWITCHES])
def test_switch_fails_its_cases_only(switch, case_list, bad_backend_factory, storlab):
    targets = switch["targets"]
    if targets == PROBE:
        # The run cannot be done (exit 2), and the message names the case.
        peer = bad_backend_factory(switch["name"], extra=switch["args"])
        p = storlab("conform", "--target", peer.uri, "--timeout", TIMEOUT_MS,
                    "--case", SAMPLE[0], rc=2, timeout=60)
        assert "VHOST-FEAT-006" in p.stderr, p.stderr
        return
    others = [c for c in dict.fromkeys(neighbours(case_list, targets) + list(SAMPLE))
              if c not in targets and c not in READONLY_CASES]
    # N/A is no failure: a neighbour may need a feature bad_backend does not
    # offer, and ignore-readonly's RO makes the writing cases N/A.
    prove_switch(switch, others, bad_backend_factory, storlab, "bad_backend")


def prove_switch(switch, others, factory, storlab, name):
    """The switch fails its targets, and none of OTHERS (each passes or is
    N/A); with args, the targets pass on that device without the switch
    first. factory(*breaks, extra=args) starts the misbehaving peer NAME
    (bad_backend, bad_scsi)."""
    targets = switch["targets"]
    if switch["args"]:
        # The options the switch needs change the device: its targets must
        # pass on that device without the switch.
        peer = factory(extra=switch["args"])
        cases = conform(storlab, peer, list(targets) + others)
        bad = [i for i in targets if cases[i]["verdict"] not in PASSED]
        bad += [o for o in others if cases[o]["verdict"] in CAUGHT]
        assert not bad, "%s %s without --break %s fails:\n%s" % (
            name, " ".join(switch["args"]), switch["name"], show(cases, bad))
        peer.stop()
    peer = factory(switch["name"], extra=switch["args"])
    cases = conform(storlab, peer, list(targets) + others)
    missed = [t for t in targets if cases[t]["verdict"] not in CAUGHT]
    assert not missed, "--break %s (%s) did not fail its cases:\n%s" % (
        switch["name"], switch["breaks"], show(cases, missed))
    wider = [o for o in others if cases[o]["verdict"] in CAUGHT]
    assert not wider, "--break %s also fails cases it does not target:\n%s" % (
        switch["name"], show(cases, wider))


# The replies a front-end must survive (bad_backend's hostile.c): switch ->
# (the case that meets the reply, its verdict, the request it answers, the
# reply's line in the case's trace). The verdict is FAIL where the reply
# breaks a sentence the case checks, "not met" where the case is an advisory
# (GET_STATUS is defined without a keyword), ERROR where the spec has none
# (an fd with a reply) and the case's set-up cannot go on; the trace shows
# the reply as it arrived, right after the request (reset-owner-two-acks:
# the second ack, after the case took the first).
HOSTILE = {
    "config-reply-oversize": (
        "VHOST-CFG-001", "fail", "-> VHOST_USER_GET_CONFIG",
        "<- VHOST_USER_GET_CONFIG (24) flags=0x5 size=320 fds=0 | 00 00 00 00 08 00 00 00"),
    "vring-base-reply-cut": (
        "VHOST-RING-002", "fail", "-> VHOST_USER_GET_VRING_BASE",
        "<- VHOST_USER_GET_VRING_BASE (11) flags=0x5 size=8 fds=0 | 01 00 00 00 ... "
        "[4 of 8 payload bytes arrived: the connection was closed]"),
    "status-reply-stall": (
        "VHOST-FEAT-005", "not_met", "-> VHOST_USER_GET_STATUS",
        "<- VHOST_USER_GET_STATUS (40) flags=0x5 size=8 fds=0 | 00 00 00 00 ... "
        "[4 of 8 payload bytes arrived: no more bytes came]"),
    "max-slots-wrong-request": (
        "VHOST-FEAT-004", "fail", "-> VHOST_USER_GET_MAX_MEM_SLOTS",
        "<- VHOST_USER_GET_FEATURES (1) flags=0x5 size=8 fds=0 |"),
    "max-slots-reply-garbage": (
        "VHOST-FEAT-004", "fail", "-> VHOST_USER_GET_MAX_MEM_SLOTS",
        "<- unknown (4294967295) flags=0xffffffff size=4294967295 fds=0 "
        "[0 of 4294967295 payload bytes arrived: larger than any message, not read]"),
    "pf-reply-bad-version": (
        "VHOST-FEAT-002", "fail", "-> VHOST_USER_GET_PROTOCOL_FEATURES (15) flags=0x1 size=0",
        "<- VHOST_USER_GET_PROTOCOL_FEATURES (15) flags=0x6 size=8 fds=0 |"),
    "queue-num-reply-fd": (
        "VHOST-MQ-001", "error", "-> VHOST_USER_GET_QUEUE_NUM",
        "<- VHOST_USER_GET_QUEUE_NUM (17) flags=0x5 size=8 fds=1 | 02 00 00 00 00 00 00 00"),
    "reset-owner-two-acks": (
        "VHOST-OWNER-001", "fail", "note: VHOST_USER_RESET_OWNER: ack 0",
        "<- VHOST_USER_RESET_OWNER (4) flags=0x5 size=8 fds=0 | 00 00 00 00 00 00 00 00"),
}


def reply_after(trace, request):
    """The first line received after the last line that starts with REQUEST."""
    sent = [i for i, line in enumerate(trace) if line.startswith(request)]
    assert sent, "no %r in the trace:\n%s" % (request, "\n".join(trace))
    return next((line for line in trace[sent[-1] + 1:] if line.startswith("<-")), "")


@pytest.mark.parametrize("switch", sorted(HOSTILE))
def test_hostile_reply_reported_with_its_bytes(switch, bad_backend_factory, storlab):
    case, verdict, request, reply = HOSTILE[switch]
    assert case in next(s["targets"] for s in SWITCHES if s["name"] == switch)
    cases = conform(storlab, bad_backend_factory(switch), [case])
    assert cases[case]["verdict"] == verdict, show(cases, [case])
    trace = cases[case]["trace"]
    assert reply_after(trace, request).startswith(reply), "\n".join(trace)
