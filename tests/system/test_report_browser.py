# SPDX-License-Identifier: MIT
"""report.html of `storlab conform` in a real browser (headless Chromium,
tests/system/browser.py): the page loads without a console error or an
uncaught exception, and the DOM holds what report.json says: the verdict
table, each case with its verdict and quote, the advisories apart with their
severity, the observations. The nightly's report: tests/system/test_nightly.py.
"""

import json
import os
import subprocess

from browser import Browser
from conform_report import BLK_SUITES, all_cases, parse_list
from conftest import BUILD, need_binary
from peers import bad_backend_factory  # noqa: F401

# One case that fails on `bad_backend --break wrong-status` (a details block
# open, with its trace and reproduce command), two that pass, the observation.
IDS = ["VHOST-FEAT-001", "BLK-RW-001", "BLK-RW-005", "BLK-Q-010"]

# Per case: its id's element, the badge text, the quote and severity shown.
CASE_JS = """
[...document.querySelectorAll('details[id]')].map(d => ({
  id: d.id,
  badge: d.querySelector('summary .v').textContent,
  severity: (d.querySelector('summary .sev') || {}).textContent || null,
  quote: (d.querySelector('blockquote.quote') || {}).textContent || '',
  section: d.closest('section') ? d.closest('section').id : 'verdicts',
  open: d.open,
}))
"""
# A table's rows as lists of cell texts.
TABLE_JS = """
(id => { const t = document.getElementById(id);
  return t ? [...t.rows].map(r => [...r.cells].map(c => c.textContent)) : null; })
"""
LABELS = {"pass": "PASS", "fail": "FAIL", "error": "ERROR", "not_applicable": "N/A",
          "met": "met", "not_met": "advisory not met", "observed": "observed"}


def total_row(rows, tally, keys):
    assert rows[-1][0] == "total", rows
    assert [int(v) for v in rows[-1][1:]] == [tally[k] for k in keys], (rows[-1], tally)


def check_page(page, rep):
    """The DOM of report.html agrees with report.json."""
    assert page.errors == [], page.errors
    rows = page.eval(TABLE_JS + "('verdicts')")
    assert rows[0] == ["suite", "pass", "fail", "n/a", "error"], rows
    total_row(rows, rep["summary"], ("pass", "fail", "not_applicable", "error"))
    # Rendered, not only parsed: the table takes room on the page.
    assert page.eval("document.getElementById('verdicts').getBoundingClientRect().height") > 0
    shown = {c["id"]: c for c in page.eval(CASE_JS)}
    cases = all_cases(rep)
    assert sorted(shown) == sorted(cases), (sorted(shown), sorted(cases))
    part_of = {c["id"]: part for part in ("cases", "advisories", "observations")
               for c in rep[part]}
    for cid, c in cases.items():
        s = shown[cid]
        assert s["badge"] == LABELS[c["verdict"]], (cid, s, c["verdict"])
        assert s["quote"] == c["quote"], (cid, s["quote"])
        assert s["severity"] == c.get("severity"), (cid, s)
        assert s["section"] == {"cases": "verdicts", "advisories": "advisories",
                                "observations": "observations"}[part_of[cid]], (cid, s)
        assert s["open"] == (c["verdict"] in ("fail", "error", "not_met")), (cid, s)
    adv = page.eval(TABLE_JS + "('advisory-summary')")
    assert (adv is not None) == bool(rep["advisories"]), adv
    if adv:
        assert adv[0] == ["suite", "met", "not met", "n/a", "error"], adv
        total_row(adv, rep["advisory_summary"], ("met", "not_met", "not_applicable", "error"))
    notes = page.eval("[...document.querySelectorAll('#observations li')]"
                      ".map(li => li.textContent)")
    for c in cases.values():
        for n in c["notes"]:
            assert n in notes, (c["id"], n, notes)


def test_conform_report_in_chromium(storlab, workdir, bad_backend_factory):
    """A real run: every advisory of the suites, a failure, passes and the
    observation, against bad_backend with one defect."""
    advisories = [c[0] for c in parse_list(storlab("conform", "--list", timeout=30).stdout)
                  if c[1] == "ADVISORY" and c[2] in BLK_SUITES]
    peer = bad_backend_factory("wrong-status")
    d = workdir / "rep"
    args = ["conform", "--target", peer.uri, "--timeout", 500, "--report-dir", d]
    for cid in IDS + advisories:
        args += ["--case", cid]
    p = storlab(*args, rc=None, timeout=180)
    assert p.returncode in (0, 1), p.stderr
    rep = json.loads((d / "report.json").read_text())
    assert all_cases(rep)["BLK-RW-005"]["verdict"] in ("fail", "not_met"), rep
    assert all_cases(rep)["BLK-Q-010"]["notes"], all_cases(rep)["BLK-Q-010"]
    with Browser(workdir) as b:
        check_page(b.load(d / "report.html"), rep)


def test_sample_report_sections_in_chromium(workdir):
    """Every section, advisories of two severities included: the page the
    report unit test renders from a synthetic run (test_report.c)."""
    unit = need_binary(BUILD / "tests" / "unit" / "conformance" / "test_report")
    sample = workdir / "sample.html"
    p = subprocess.run([str(unit)], env=dict(os.environ, STORLAB_SAMPLE_REPORT=str(sample)),
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stdout + p.stderr
    with Browser(workdir) as b:
        page = b.load(sample)
        assert page.errors == [], page.errors
        shown = {c["id"]: c for c in page.eval(CASE_JS)}
        assert shown["S-ADV-MEM"] == dict(shown["S-ADV-MEM"], badge="advisory not met",
                                          severity="memory-safety", section="advisories",
                                          open=True), shown
        assert shown["S-ADV-ROB"]["severity"] == "robustness", shown
        assert shown["S-INFO"]["section"] == "observations", shown
        assert shown["S-MUST"]["section"] == "verdicts", shown
        # The severity badge is drawn in its own colour, not unstyled text.
        colours = page.eval("[...document.querySelectorAll('.sev')].map(e => "
                            "getComputedStyle(e).color)")
        assert len(set(colours)) == 2, colours
        adv = page.eval(TABLE_JS + "('advisory-summary')")
        assert adv[-1] == ["total", "0", "1", "0", "1"], adv
        assert "advisory not met" not in page.eval(
            "document.getElementById('verdicts').textContent")


def test_console_errors_are_caught(workdir):
    """The browser check is no rubber stamp: a page that logs an error and
    throws is reported with both."""
    bad = workdir / "bad.html"
    bad.write_text("<!DOCTYPE html><html><body><p id='x'>x</p><script>"
                   "console.error('deliberate', 1); no_such_function();</script></body></html>")
    with Browser(workdir) as b:
        page = b.load(bad)
        assert page.eval("document.getElementById('x').textContent") == "x"
        assert any("deliberate 1" in e for e in page.errors), page.errors
        assert any("no_such_function" in e for e in page.errors), page.errors
