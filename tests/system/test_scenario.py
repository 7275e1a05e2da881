# SPDX-License-Identifier: MIT
"""storlab scenario run: the documented examples (docs/scenarios.md), the demo,
-D overrides, and malformed files (FILE:LINE:COLUMN, exit 2)."""

import re
import subprocess

import pytest

from conftest import CLI_BIN, ROOT, TGT_BIN, assert_no_san, need_binary

DOC = ROOT / "docs" / "scenarios.md"
TIMEOUT = 300


def doc_examples():
    """Every ```yaml block of the doc, with how to test it."""
    blocks = re.findall(r"^```yaml\n(.*?)^```", DOC.read_text(), re.M | re.S)
    assert blocks, "no yaml examples in %s" % DOC
    return [pytest.param(b, b.startswith("# test: run"), id="example%d" % i)
            for i, b in enumerate(blocks)]


def scenario(args, tmp_path=None):
    need_binary(CLI_BIN)
    need_binary(TGT_BIN)
    p = subprocess.run([str(CLI_BIN), "scenario", "run"] + [str(a) for a in args],
                       stdin=subprocess.DEVNULL, capture_output=True, text=True,
                       timeout=TIMEOUT)
    assert_no_san(p.stdout + p.stderr, "storlab scenario")
    return p


@pytest.mark.parametrize("text,run", doc_examples())
def test_doc_example(tmp_path, text, run):
    f = tmp_path / "example.yaml"
    f.write_text(text)
    p = scenario([f] + ([] if run else ["--dry-run"]))
    assert p.returncode == 0, p.stdout + p.stderr


def test_demo_runs():
    p = scenario([ROOT / "scenarios" / "demo.yaml", "-D", "perf_time=1"])
    assert p.returncode == 0, p.stdout + p.stderr
    assert "demo: all steps passed" in p.stdout
    # Every step of the file ran and passed, the conformance suites included.
    steps = (ROOT / "scenarios" / "demo.yaml").read_text().split("\nsteps:")[1].count("\n  - ")
    assert len(re.findall(r"^\[\d+\] .* ok ", p.stdout, re.M)) == steps, p.stdout
    assert re.search(r"conformance suites .* ok .* 0 fail, \d+ n/a, 0 error", p.stdout), p.stdout


def test_stock_scenarios_load():
    for f in sorted((ROOT / "scenarios").rglob("*.yaml")):
        p = scenario([f, "--dry-run"])
        assert p.returncode == 0, "%s: %s" % (f, p.stderr)


def test_define_overrides(tmp_path):
    p = scenario([ROOT / "scenarios" / "demo.yaml", "--dry-run", "-D", "ctrlr=vhost.9",
                  "-Dperf_time=7"])
    assert p.returncode == 0, p.stderr
    assert "${ctrlr} = vhost.9" in p.stdout and "${perf_time} = 7" in p.stdout
    p = scenario([ROOT / "scenarios" / "demo.yaml", "--dry-run", "-D", "nope=1"])
    assert p.returncode == 2 and "no variable 'nope'" in p.stderr


def test_define_reaches_the_target(tmp_path):
    f = tmp_path / "d.yaml"
    f.write_text("name: d\nvariables: {blocks: 4096}\nendpoints:\n"
                 "  - {name: tgt, type: storlab-tgt}\nsteps:\n"
                 "  - rpc: {endpoint: tgt, method: bdev_malloc_create,\n"
                 "          params: {name: M0, num_blocks: \"${blocks}\", block_size: 512}}\n"
                 "  - rpc: {endpoint: tgt, method: bdev_get_bdevs, params: {name: M0}}\n"
                 "  - expect: {field: 0.num_blocks, equals: 2048}\n")
    assert scenario([f]).returncode == 1
    p = scenario([f, "-D", "blocks=2048"])
    assert p.returncode == 0, p.stdout + p.stderr


@pytest.mark.parametrize("text,pos,what", [
    ("name: x\nsteps: [\n", "3:1", "did not find expected"),
    ("name: x\nendpoints:\n  - name: a\n    type: spdk\nsteps: [{sleep: 1}]\n", "4:11",
     "bad value 'spdk' for 'type'"),
    ("name: x\nendpoints: [{name: a, type: socket, path: /s}]\nsteps:\n"
     "  - rpc: {endpoint: b, method: m}\n", "4:21", "undefined endpoint 'b'"),
    ("name: x\nendpoints: [{name: a, type: socket, path: \"${p}\"}]\nsteps: [{sleep: 1}]\n",
     "2:43", "undefined variable 'p'"),
])
def test_malformed(tmp_path, text, pos, what):
    f = tmp_path / "bad.yaml"
    f.write_text(text)
    p = scenario([f])
    assert p.returncode == 2, p.stdout + p.stderr
    assert "%s:%s: %s" % (f, pos, what) in p.stderr, p.stderr


def test_failing_step_names_it(tmp_path):
    f = tmp_path / "fail.yaml"
    f.write_text("name: f\nendpoints: [{name: tgt, type: storlab-tgt}]\nsteps:\n"
                 "  - sleep: 1\n  - rpc: {endpoint: tgt, method: no_such_method}\n"
                 "  - sleep: 1\n")
    p = scenario([f])
    assert p.returncode == 1, p.stdout + p.stderr
    assert re.search(r"^\[2\] .*fail\.yaml:5 .*FAIL", p.stdout, re.M), p.stdout
    assert "[3]" not in p.stdout
