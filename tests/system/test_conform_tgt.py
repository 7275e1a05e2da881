# SPDX-License-Identifier: MIT
"""storlab-tgt against the conformance cases its default export leaves not
applicable. `storlab conform --spawn-tgt` and the demo export a read-write
malloc bdev of 512-byte blocks: the cases for read-only devices, and the
alignment of a device whose blocks are larger, apply only to a read-only
controller and to a bdev of 4 KiB blocks. Against each, those cases (and the
data-path cases whose requests depend on the block size) must pass: a case
that is N/A here proves nothing, so N/A fails too."""

import pytest

# The cases each export makes applicable, or whose requests it changes.
EXPORTS = {
    "readonly": dict(block_size=512, readonly=True, cases=(
        "BLK-RW-021", "BLK-RW-024", "BLK-RW-023", "BLK-LAY-019", "BLK-LAY-020", "BLK-LAY-021",
        "BLK-LAY-022", "VHOST-RING-010", "VHOST-RING-014")),
    "4k-blocks": dict(block_size=4096, readonly=False, cases=(
        "BLK-CFG-008", "BLK-RW-001", "BLK-RW-003", "BLK-RW-004", "BLK-RW-007", "BLK-LAY-017",
        "BLK-LAY-018", "BLK-LAY-022", "BLK-DWZ-004", "VHOST-RING-010", "VHOST-RING-013",
        "VHOST-RING-014")),
}
# A case passed: a spec-level pass, or a met advisory (reports that keep
# advisories apart name it so).
PASSED = ("pass", "met")


def verdicts(report):
    return {c["id"]: c for part in ("cases", "advisories") for c in report.get(part, [])}


@pytest.mark.parametrize("export", sorted(EXPORTS))
def test_tgt_export(export, tgt, storlab):
    e = EXPORTS[export]
    bdev = tgt.malloc(block_size=e["block_size"])
    uri = tgt.controller("vhost.0", bdev, num_queues=2, readonly=e["readonly"])
    args = ["conform", "--target", uri, "--json"]
    for cid in e["cases"]:
        args += ["--case", cid]
    got = verdicts(storlab.json(*args, rc=None, timeout=120))
    assert sorted(got) == sorted(e["cases"]), sorted(got)
    bad = {cid: c for cid, c in got.items() if c["verdict"] not in PASSED}
    assert not bad, "storlab-tgt (%s export):\n%s" % (export, "\n".join(
        "  %s %s: %s" % (cid, c["verdict"], c["reason"]) for cid, c in sorted(bad.items())))
    assert tgt.alive()
