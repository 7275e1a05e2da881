# SPDX-License-Identifier: MIT
"""The mutants of storlab-tgt kept under tests/mutants/ (tests/mutants/README.md):
one .patch per mutant, a header of `Key: value` lines before its diff.

    Mutant: readonly-limit-dropped            (optional; default: the file's stem)
    Area: config space                        (one of AREAS)
    Defect: what is wrong, as a reviewer would say it (may continue on
      indented lines)
    Expected: BLK-RW-021 (ro), BLK-RW-024 (ro)  (the cases expected to catch it)
    Runs: 5                                   (optional: a probabilistic mutant,
                                               run up to 5 times)
    Equivalent: why no front-end can observe it (instead of Expected)

`git apply` skips the header, as it skips the text of a mailed patch.
"""

import os
import re
import subprocess

AREAS = ("request parsing", "descriptor walking", "memory translation", "vhost-user messages",
         "ring start / stop", "config space", "multiqueue", "dirty log",
         # the vhost-user-scsi side: virtio-scsi requests, the SCSI commands
         # lib/scsi emulates, its sense data, task management, hot-plug events
         "scsi requests", "scsi commands", "sense data", "task management", "scsi events",
         # the NVMe-over-vfio-user side: the controller's registers and
         # queues, its admin and I/O commands, PRP/SGL data pointers, and the
         # vfio-user server's messages
         "nvme registers", "nvme admin commands", "nvme i/o commands", "nvme data pointers",
         "vfio-user messages")
# The device a mutant's file belongs to, by path prefix: its mutants run the
# suite of that device (ci/mutants' exports of it); any other file is the
# vhost-user-blk side's (lib/vhost, lib/virtio... are run through it).
NVME_PATHS = ("lib/nvmf/", "target/frontend/nvme_vfio_user", "lib/vfio-user/vfio_user_server")
SCSI_PATHS = ("lib/scsi/", "target/frontend/vhost_scsi")
DEVICES = ("blk", "scsi", "nvme")
KEYS = ("Mutant", "Area", "Defect", "Expected", "Runs", "Equivalent")


def device_of(path):
    """The device whose suites a mutant of this file runs."""
    if path.startswith(NVME_PATHS):
        return "nvme"
    return "scsi" if path.startswith(SCSI_PATHS) else "blk"


class MutantError(Exception):
    pass


class Mutant:
    def __init__(self, path, fields, files):
        self.path = path
        self.name = fields.get("Mutant") or os.path.splitext(os.path.basename(path))[0]
        self.area = fields["Area"]
        self.defect = fields["Defect"]
        self.expected = fields.get("Expected", "")
        self.equivalent = fields.get("Equivalent", "")
        self.runs = int(fields.get("Runs", "1"))
        self.files = files
        self.device = device_of(files[0])

    def as_json(self):
        return {"name": self.name, "patch": os.path.basename(self.path), "area": self.area,
                "files": self.files, "defect": self.defect, "expected": self.expected,
                "equivalent": self.equivalent, "runs": self.runs, "device": self.device}


def parse(path):
    """The mutant of one patch file; MutantError names what is wrong."""
    with open(path) as f:
        text = f.read()
    head, sep, _ = text.partition("\ndiff --git ")
    if not sep:
        raise MutantError("%s: no `diff --git` part" % path)
    fields, key = {}, None
    for ln in head.split("\n"):
        m = re.match(r"([A-Z][a-z]+): ?(.*)$", ln)
        if m and m.group(1) in KEYS:
            key = m.group(1)
            if key in fields:
                raise MutantError("%s: %s given twice" % (path, key))
            fields[key] = m.group(2).strip()
        elif ln.startswith((" ", "\t")) and key and ln.strip():
            fields[key] += " " + ln.strip()
        elif ln.strip():
            raise MutantError("%s: header line %r is not `Key: value` (keys: %s)"
                              % (path, ln, ", ".join(KEYS)))
    files = re.findall(r"^diff --git a/(\S+) b/", text, re.M)
    for need in ("Area", "Defect"):
        if not fields.get(need):
            raise MutantError("%s: no %s" % (path, need))
    if fields["Area"] not in AREAS:
        raise MutantError("%s: area %r is none of: %s" % (path, fields["Area"], ", ".join(AREAS)))
    if bool(fields.get("Expected")) == bool(fields.get("Equivalent")):
        raise MutantError("%s: give either Expected (the cases that catch it) or Equivalent "
                          "(why no front-end can observe it)" % path)
    if not re.fullmatch(r"[1-9][0-9]?", fields.get("Runs", "1")):
        raise MutantError("%s: Runs must be 1 to 99" % path)
    if len(files) != 1:
        raise MutantError("%s: a mutant changes one file (it changes %d)" % (path, len(files)))
    return Mutant(path, fields, files)


def load(directory):
    """Every mutant under directory, by file name; names must be unique."""
    paths = sorted(os.path.join(directory, f) for f in os.listdir(directory)
                   if f.endswith(".patch"))
    mutants = [parse(p) for p in paths]
    seen = {}
    for m in mutants:
        if m.name in seen:
            raise MutantError("%s and %s are both mutant %s" % (seen[m.name], m.path, m.name))
        seen[m.name] = m.path
    return mutants


def git_apply(args, cwd, patch):
    """`git apply ARGS PATCH` in cwd as a plain directory (no repository found
    above it: inside one, git would skip paths outside cwd). Returns the
    error text, "" when it applied."""
    env = dict(os.environ, GIT_CEILING_DIRECTORIES=os.path.dirname(os.path.abspath(cwd)))
    p = subprocess.run(["git", "apply"] + args + [os.path.abspath(patch)], cwd=cwd, env=env,
                       capture_output=True, text=True)
    return "" if p.returncode == 0 else (p.stderr.strip() or "git apply exit %d" % p.returncode)


def check(directory, tree):
    """Every patch parses and applies cleanly to tree: the problems found."""
    try:
        mutants = load(directory)
    except (MutantError, OSError) as e:
        return [str(e)]
    bad = []
    for m in mutants:
        err = git_apply(["--check"], tree, m.path)
        if err:
            bad.append("mutant %s (%s) no longer applies: %s" % (m.name, m.path, err))
    return bad
