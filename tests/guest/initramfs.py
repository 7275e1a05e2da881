# SPDX-License-Identifier: MIT
"""Builds the throw-away guest's initramfs from Debian packages.

The base archive holds busybox-static, the kernel modules for virtio_pci,
virtio_blk and virtio_scsi (plus their dependencies, found with
`modprobe -S VER --show-depends`), modules.* regenerated with `depmod -b` for
exactly those modules, and our /init. It is cached under build/guest/ and
rebuilt when any input changes (kernel version, busybox, module files, the
init script, this builder).

A test is a shell script put in a second, tiny archive as /test.sh; the kernel
unpacks concatenated archives in order, so one base serves every test.

The cpio "newc" archives are written here in Python (the format is six lines
of header), which lets us put /dev/console in without being root and makes
the output byte-for-byte reproducible.
"""

import gzip
import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from . import deps

# Bump when the layout or /init changes in a way the input hash cannot see.
BUILDER_VERSION = 4

DEFAULT_MODULES = ("virtio_pci", "virtio_blk", "virtio_scsi", "sd_mod")

# What a vhost-user-scsi guest gets (build_base's tools): SCSI views of a LUN.
SG_TOOLS = (("sg_inq", "sg3-utils"), ("sg_vpd", "sg3-utils"), ("sg_readcap", "sg3-utils"))

# Markers on the serial console. A line is "@@STORLAB-<WORD> ...@@" so that
# kernel messages interleaved on the console cannot be mistaken for them.
INIT_SCRIPT = r"""#!/bin/sh
# storlab guest /init: mount, load modules, run /test.sh, power off.
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
# Only emergencies from the kernel on the console from here on: our markers
# must not be cut by driver messages (dmesg still has everything).
echo 1 > /proc/sys/kernel/printk
for m in $(cat /etc/storlab/modules); do
	modprobe "$m" || echo "@@STORLAB-WARN modprobe $m failed@@"
done
echo "@@STORLAB-BOOTED kernel=$(uname -r) cpus=$(nproc)@@"
if [ -f /test.sh ]; then
	echo "@@STORLAB-TEST-BEGIN@@"
	/bin/sh -c '. /etc/storlab/lib.sh; . /test.sh'
	rc=$?
	echo "@@STORLAB-TEST-END rc=$rc@@"
else
	echo "@@STORLAB-NO-TEST@@"
fi
sync
poweroff -f
# Not reached; if poweroff fails, panic=-1 and -no-reboot end QEMU.
exit 1
"""

# Sourced before /test.sh: small helpers for test scripts.
LIB_SCRIPT = r"""# storlab guest helpers, sourced before /test.sh
# result KEY VALUE: report a value to the host (GuestRun.results[KEY]).
result() { echo "@@STORLAB-RESULT $1=$2@@"; }
# fail MESSAGE: report a failure and stop the test with status 1.
fail() { echo "@@STORLAB-FAIL $*@@"; exit 1; }
# wait_dev PATH [SECONDS]: wait until a device node exists (probing is async).
wait_dev() {
	_n=$(( ${2:-10} * 10 ))
	while [ ! -b "$1" ] && [ ! -c "$1" ]; do
		_n=$((_n - 1))
		[ $_n -le 0 ] && fail "device $1 did not appear"
		usleep 100000
	done
}
"""


class Newc:
    """A cpio archive in the SVR4 "newc" format (what the kernel unpacks)."""

    def __init__(self):
        self._out = bytearray()
        self._ino = 1

    def _entry(self, name, mode, data=b"", rdev=(0, 0)):
        name_b = name.encode() + b"\0"
        hdr = "070701" + "".join(
            "%08X" % v
            for v in (
                self._ino, mode, 0, 0, 1, 0, len(data), 0, 0,
                rdev[0], rdev[1], len(name_b), 0,
            )
        )
        self._ino += 1
        self._out += hdr.encode() + name_b
        self._pad()
        self._out += data
        self._pad()

    def _pad(self):
        self._out += b"\0" * (-len(self._out) % 4)

    def dir(self, name, mode=0o755):
        self._entry(name, 0o040000 | mode)

    def file(self, name, data, mode=0o644):
        self._entry(name, 0o100000 | mode, data)

    def symlink(self, name, target):
        self._entry(name, 0o120777, target.encode())

    def chardev(self, name, major, minor, mode=0o600):
        self._entry(name, 0o020000 | mode, rdev=(major, minor))

    def finish(self):
        self._entry("TRAILER!!!", 0)
        # Keep the next concatenated archive 512-byte aligned, like cpio does.
        self._out += b"\0" * (-len(self._out) % 512)
        return bytes(self._out)


def repo_root():
    return Path(__file__).resolve().parents[2]


def module_files(kver, modules):
    """Module .ko paths in load order (dependencies first), deduplicated."""
    deps.require_tool("modprobe", "kmod")
    out = []
    for m in modules:
        try:
            p = subprocess.run(
                ["modprobe", "-S", kver, "--show-depends", m],
                capture_output=True, text=True, timeout=30,
            )
        except FileNotFoundError:
            raise deps.MissingDependency("modprobe not found: install the Debian package kmod")
        if p.returncode != 0:
            raise deps.MissingDependency(
                "modprobe --show-depends %s failed for kernel %s (%s): install the Debian "
                "packages linux-image-amd64 and kmod" % (m, kver, p.stderr.strip())
            )
        for line in p.stdout.splitlines():
            parts = line.split()
            if len(parts) >= 2 and parts[0] == "insmod" and parts[1] not in out:
                out.append(parts[1])
    return out


def _busybox_applets(busybox):
    p = subprocess.run([busybox, "--list"], capture_output=True, text=True, timeout=30)
    if p.returncode != 0:
        raise deps.MissingDependency("%s --list failed: reinstall busybox-static" % busybox)
    # `busybox --list` names busybox itself: a bin/busybox -> busybox link
    # would replace the binary by a self-loop (every applet then fails with
    # ELOOP), so it is left out.
    return sorted(a for a in p.stdout.split() if a and a != "busybox" and "/" not in a)


def tool_files(tools):
    """Host programs for the guest, tools being (name, Debian package)
    pairs: {guest path: host path} of each program (in /bin) and of every
    shared library and the loader it needs (at the paths ldd names)."""
    out = {}
    ldd = deps.require_tool("ldd", "libc-bin")
    for name, package in tools:
        prog = deps.require_tool(name, package)
        out["bin/" + name] = prog
        p = subprocess.run([ldd, prog], capture_output=True, text=True, timeout=30)
        if p.returncode != 0:
            raise deps.MissingDependency("ldd %s failed (%s): reinstall %s"
                                         % (prog, p.stderr.strip(), package))
        for line in p.stdout.splitlines():
            parts = line.split()
            lib = parts[2] if len(parts) > 2 and parts[1] == "=>" else parts[0]
            if lib.startswith("/"):
                out[lib.lstrip("/")] = lib
    return out


def _input_hash(kver, busybox, kos, modules, tools):
    h = hashlib.sha256()
    h.update(b"v%d\0%s\0" % (BUILDER_VERSION, kver.encode()))
    h.update(INIT_SCRIPT.encode() + b"\0" + LIB_SCRIPT.encode() + b"\0")
    h.update(" ".join(modules).encode() + b"\0")
    h.update(" ".join(sorted(tools)).encode() + b"\0")
    for f in [busybox] + kos + sorted(tools.values()):
        st = os.stat(f)
        h.update(("%s %d %d\0" % (f, st.st_size, st.st_mtime_ns)).encode())
    return h.hexdigest()[:16]


def _depmod(kver, kos):
    """modules.* for exactly our modules, so busybox modprobe works in the guest."""
    deps.require_tool("depmod", "kmod")
    src = Path("/lib/modules") / kver
    stage = Path(tempfile.mkdtemp(prefix="sl-depmod-", dir="/tmp"))
    try:
        mdir = stage / "lib/modules" / kver
        mdir.mkdir(parents=True)
        for name in ("modules.builtin", "modules.builtin.modinfo", "modules.order"):
            if (src / name).exists():
                shutil.copy(src / name, mdir / name)
        for ko in kos:
            rel = Path(ko).relative_to(src)
            (mdir / rel).parent.mkdir(parents=True, exist_ok=True)
            os.symlink(ko, mdir / rel)
        p = subprocess.run(["depmod", "-b", str(stage), kver], capture_output=True,
                           text=True, timeout=60)
        if p.returncode != 0:
            raise RuntimeError("depmod -b failed: %s" % p.stderr.strip())
        return {f.name: f.read_bytes() for f in sorted(mdir.glob("modules.*"))}
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def build_base(kver=None, modules=DEFAULT_MODULES, cache_dir=None, log=None, tools=()):
    """Returns the path of the cached base initramfs (gzip'ed newc), building
    it if an input changed. tools: (program, Debian package) pairs copied in
    with their libraries (tool_files). Raises deps.MissingDependency naming
    the package."""
    kver = kver or deps.kernel_version()
    busybox = deps.busybox_static()
    kos = module_files(kver, modules)
    extra = tool_files(tools)
    cache_dir = Path(cache_dir or repo_root() / "build" / "guest")
    cache_dir.mkdir(parents=True, exist_ok=True)
    digest = _input_hash(kver, busybox, kos, modules, extra)
    # One cached base per set of tools: the blk tests' and the scsi tests'
    # do not evict each other.
    flavor = "+".join(sorted(n for n, _ in tools)) or "base"
    out = cache_dir / ("initramfs-%s-%s-%s.cpio.gz" % (kver, flavor, digest))
    if out.exists():
        return out

    a = Newc()
    for d in ("bin", "dev", "etc", "etc/storlab", "lib", "lib/modules", "proc", "sys",
              "tmp", "run", "mnt", "root", "usr"):
        a.dir(d)
    a.chardev("dev/console", 5, 1)
    a.chardev("dev/null", 1, 3, 0o666)
    a.symlink("sbin", "bin")
    a.symlink("usr/bin", "../bin")
    a.symlink("usr/sbin", "../bin")
    a.file("bin/busybox", Path(busybox).read_bytes(), 0o755)
    for applet in _busybox_applets(busybox):
        a.symlink("bin/" + applet, "busybox")
    a.file("init", INIT_SCRIPT.encode(), 0o755)
    a.file("etc/storlab/lib.sh", LIB_SCRIPT.encode())
    a.file("etc/storlab/modules", ("\n".join(modules) + "\n").encode())
    a.file("etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n")
    made = set()
    for dest, src in sorted(extra.items()):
        parts = dest.split("/")
        for i in range(1, len(parts)):
            d = "/".join(parts[:i])
            if d not in made and d not in ("bin", "lib", "usr"):
                made.add(d)
                a.dir(d)
        a.file(dest, Path(src).read_bytes(), 0o755)

    src = Path("/lib/modules") / kver
    mroot = "lib/modules/" + kver
    made = {mroot}
    a.dir(mroot)
    for ko in kos:
        rel = Path(ko).relative_to(src)
        parts = (mroot + "/" + str(rel.parent)).split("/")
        for i in range(3, len(parts) + 1):
            d = "/".join(parts[:i])
            if d not in made:
                made.add(d)
                a.dir(d)
        a.file(mroot + "/" + str(rel), Path(ko).read_bytes())
    for name, data in _depmod(kver, kos).items():
        a.file(mroot + "/" + name, data)

    data = gzip.compress(a.finish(), compresslevel=6, mtime=0)
    tmp = out.with_suffix(".tmp%d" % os.getpid())
    tmp.write_bytes(data)
    os.replace(tmp, out)
    # Old versions of the base for this kernel are stale now.
    for old in cache_dir.glob("initramfs-%s-%s-*.cpio.gz" % (kver, flavor)):
        if old != out:
            old.unlink(missing_ok=True)
    if log:
        log("built %s (%d KiB)" % (out, len(data) // 1024))
    return out


def script_archive(script, files=None):
    """The per-test archive: /test.sh plus optional extra files {path: bytes}."""
    a = Newc()
    made = set()
    for path, data in sorted((files or {}).items()):
        parts = path.strip("/").split("/")
        for i in range(1, len(parts)):
            d = "/".join(parts[:i])
            if d not in made:
                made.add(d)
                a.dir(d)
        a.file("/".join(parts), data, 0o755)
    a.file("test.sh", script.encode() if isinstance(script, str) else script, 0o755)
    return a.finish()


def make_initrd(script, dest, files=None, **base_kw):
    """Writes base + test archive to dest (one file, as -initrd takes one)."""
    base = build_base(**base_kw)
    with open(dest, "wb") as f:
        data = base.read_bytes()
        f.write(data)
        f.write(b"\0" * (-len(data) % 512))
        f.write(script_archive(script, files))
    return Path(dest)
