# SPDX-License-Identifier: MIT
"""What the system tests read of `storlab conform`'s output
(docs/man/storlab-conform.md): `--list` and report.json's three parts, the
spec verdicts, the advisories and the observations."""

# report.json: each part's array and the verdict keys its cases may have.
SECTIONS = {
    "cases": ("pass", "fail", "not_applicable", "error"),
    "advisories": ("met", "not_met", "not_applicable", "error"),
    "observations": ("observed", "fail", "not_applicable", "error"),
}
SPEC_LEVELS = ("MUST", "SHOULD", "MAY")
LEVELS = SPEC_LEVELS + ("ADVISORY", "INFO")
# A case that did what it checks for / that caught the back-end doing
# otherwise (a spec FAIL or ERROR, or an unmet advisory).
PASSED = ("pass", "met", "observed")
CAUGHT = ("fail", "error", "not_met")
# The suites a vhost-user-blk: target runs: `--list` shows every transport's
# suites, a run holds those of its URI's scheme only (virtio-scsi is
# vhost-user-scsi:'s).
BLK_SUITES = ("vhost-user", "virtio-blk")


def parse_list(out):
    """[(id, level, suite, quote)] from `storlab conform --list`: a line per
    case, then the indented line of its sentence."""
    cases = []
    for line in out.splitlines():
        if not line.strip():
            continue
        if line[0].isspace():
            assert cases, "an indented --list line before any case: %r" % line
            cid, level, suite, quote = cases[-1]
            assert quote is None, "two indented lines under %s: %r" % (cid, line)
            cases[-1] = (cid, level, suite, line.strip())
            continue
        f = line.split()
        assert len(f) >= 4, "bad --list line: %r" % line
        assert f[1] in LEVELS, line
        cases.append((f[0], f[1], f[2], None))
    assert all(c[3] is not None for c in cases), "a case without its quote line"
    return cases


def all_cases(rep):
    """{id: case} over the three parts of report.json, each case checked to
    carry a verdict key of its part."""
    out = {}
    for part, keys in SECTIONS.items():
        for c in rep[part]:
            assert c["verdict"] in keys, (part, c)
            assert c["id"] not in out, "%s twice in report.json" % c["id"]
            out[c["id"]] = c
    return out
