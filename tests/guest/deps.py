# SPDX-License-Identifier: MIT
"""Finding the guest's ingredients on the host, or saying which Debian
package is missing. A missing peer is a test failure naming the package
(DESIGN.md "Real peers, always"), never a skip."""

import os
import shutil
import struct
from pathlib import Path


class MissingDependency(Exception):
    """A host tool or file is missing; the message names the Debian package."""


def require_tool(name, package):
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin:/usr/bin:/bin")
    if not path:
        raise MissingDependency("%s not found: install the Debian package %s "
                                "(scripts/install-deps)" % (name, package))
    return path


def qemu_system():
    return require_tool("qemu-system-x86_64", "qemu-system-x86")


def qemu_storage_daemon():
    return require_tool("qemu-storage-daemon", "qemu-system-common")


def qboot_rom():
    """QEMU's minimal firmware (no SeaBIOS device drivers): runner.qemu_argv."""
    path = Path("/usr/share/qemu/qboot.rom")
    if not path.exists():
        raise MissingDependency("%s not found: install the Debian package qemu-system-data "
                                "(scripts/install-deps installs qemu-system-x86)" % path)
    return str(path)


def kernel_version():
    """STORLAB_GUEST_KERNEL (a version) or the newest /boot/vmlinuz-* that has
    its /lib/modules/<version>."""
    want = os.environ.get("STORLAB_GUEST_KERNEL")
    cands = []
    for k in Path("/boot").glob("vmlinuz-*"):
        ver = k.name[len("vmlinuz-"):]
        if (Path("/lib/modules") / ver / "modules.dep").exists():
            cands.append(ver)
    if want:
        if want not in cands:
            raise MissingDependency("STORLAB_GUEST_KERNEL=%s: no /boot/vmlinuz-%s with its "
                                    "/lib/modules (found: %s)" % (want, want, cands or "none"))
        return want
    if not cands:
        raise MissingDependency("no /boot/vmlinuz-* with /lib/modules/<version>: install the "
                                "Debian package linux-image-amd64 (scripts/install-deps)")

    def key(v):
        return [int(x) if x.isdigit() else x for x in v.replace("-", ".").split(".")]

    return sorted(cands, key=key)[-1]


def kernel_image(kver):
    path = Path("/boot") / ("vmlinuz-" + kver)
    if not os.access(path, os.R_OK):
        raise MissingDependency("%s is not readable: install the Debian package "
                                "linux-image-amd64" % path)
    return path


def _is_static_elf(path):
    """True for an ELF without a PT_INTERP (no dynamic loader needed)."""
    with open(path, "rb") as f:
        hdr = f.read(64)
        if hdr[:4] != b"\x7fELF" or hdr[4] != 2:  # 64-bit only (amd64)
            return False
        phoff, = struct.unpack_from("<Q", hdr, 0x20)
        phentsize, phnum = struct.unpack_from("<HH", hdr, 0x36)
        for i in range(phnum):
            f.seek(phoff + i * phentsize)
            ptype, = struct.unpack("<I", f.read(4))
            if ptype == 3:  # PT_INTERP
                return False
    return True


def busybox_static():
    # busybox-static installs /bin/busybox; the plain busybox package installs
    # a dynamic one at the same path, which cannot run in our initramfs.
    for cand in ("/bin/busybox", "/usr/bin/busybox"):
        if os.path.exists(cand):
            if _is_static_elf(cand):
                return cand
            raise MissingDependency("%s is dynamically linked: install the Debian package "
                                    "busybox-static (it replaces busybox)" % cand)
    raise MissingDependency("busybox not found: install the Debian package busybox-static "
                            "(scripts/install-deps)")
