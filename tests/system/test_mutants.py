# SPDX-License-Identifier: MIT
"""The mutants of storlab-tgt (tests/mutants/README.md) without building any:
the guard `make check` runs (`ci/mutants --check`) passes on the tree and
names a mutant that no longer applies, or whose header is incomplete; the set
covers every area, the vhost-user-scsi and NVMe sides' too. `make mutants` itself (building and running each) is the
nightly's."""

import json
import shutil
import subprocess
import sys

from conftest import ROOT

sys.path.insert(0, str(ROOT / "ci"))
import mutant_set  # noqa: E402

MUTANTS = ROOT / "ci" / "mutants"
SET = ROOT / "tests" / "mutants"


def mutants(*args):
    return subprocess.run([str(MUTANTS)] + [str(a) for a in args], capture_output=True,
                          text=True, timeout=120)


def test_every_mutant_applies():
    p = mutants("--check")
    assert p.returncode == 0, p.stdout + p.stderr
    n = len(list(SET.glob("*.patch")))
    assert "%d mutants apply cleanly" % n in p.stdout, p.stdout


def test_the_set_covers_every_area():
    p = mutants("--list")
    assert p.returncode == 0, p.stderr
    ms = mutant_set.load(str(SET))
    assert len(ms) >= 40, len(ms)
    areas = {a: [m.name for m in ms if m.area == a] for a in mutant_set.AREAS}
    assert all(len(v) >= 3 for v in areas.values()), json.dumps(areas, indent=1)
    for m in ms:
        assert m.name in p.stdout and m.files[0] in p.stdout


def test_the_scsi_side_is_measured():
    """The vhost-user-scsi side has its own mutants (lib/scsi, the vhost_scsi
    frontend), at least 3 in each of its areas, and `--list --device scsi`
    lists them and no other."""
    ms = [m for m in mutant_set.load(str(SET)) if m.device == "scsi"]
    assert len(ms) >= 25, len(ms)
    assert all(m.files[0].startswith(mutant_set.SCSI_PATHS) for m in ms)
    for area in ("scsi requests", "scsi commands", "sense data", "task management"):
        assert len([m for m in ms if m.area == area]) >= 3, area
    p = mutants("--list", "--device", "scsi")
    assert p.returncode == 0, p.stderr
    listed = [ln.split()[0] for ln in p.stdout.splitlines() if ln and not ln[0].isspace()]
    assert sorted(listed) == sorted(m.name for m in ms), p.stdout


def test_the_nvme_side_is_measured():
    """The NVMe-over-vfio-user side has its own mutants (lib/nvmf, the
    nvme_vfio_user frontend, the vfio-user server), at least 3 in each of
    its areas, and `--list --device nvme` lists them and no other."""
    ms = [m for m in mutant_set.load(str(SET)) if m.device == "nvme"]
    assert len(ms) >= 30, len(ms)
    assert all(m.files[0].startswith(mutant_set.NVME_PATHS) for m in ms)
    for area in ("nvme registers", "nvme admin commands", "nvme i/o commands",
                 "nvme data pointers", "vfio-user messages"):
        assert len([m for m in ms if m.area == area]) >= 3, area
    p = mutants("--list", "--device", "nvme")
    assert p.returncode == 0, p.stderr
    listed = [ln.split()[0] for ln in p.stdout.splitlines() if ln and not ln[0].isspace()]
    assert sorted(listed) == sorted(m.name for m in ms), p.stdout


def copy_set(tmp_path):
    d = tmp_path / "mutants"
    shutil.copytree(SET, d)
    return d


def test_a_mutant_that_no_longer_applies_is_named(tmp_path):
    d = copy_set(tmp_path)
    victim = sorted(d.glob("*.patch"))[0]
    text = victim.read_text()
    # What a refactor does to a patch: the lines it expects are gone.
    head, diff = text.split("\ndiff --git ", 1)
    diff = diff.replace("\n-", "\n-/* moved */ ", 1)
    victim.write_text(head + "\ndiff --git " + diff)
    p = mutants("--check", "--dir", d)
    assert p.returncode == 1, p.stdout + p.stderr
    name = victim.stem
    assert "mutant %s (%s) no longer applies" % (name, victim) in p.stderr, p.stderr
    assert p.stderr.count("no longer applies") == 1, p.stderr


def test_a_header_without_area_is_refused(tmp_path):
    d = copy_set(tmp_path)
    victim = sorted(d.glob("*.patch"))[-1]
    victim.write_text("".join(ln for ln in victim.read_text().splitlines(True)
                              if not ln.startswith("Area:")))
    p = mutants("--check", "--dir", d)
    assert p.returncode == 1, p.stdout + p.stderr
    assert "%s: no Area" % victim in p.stderr, p.stderr
