# SPDX-License-Identifier: MIT
"""storlab's throw-away Linux guest: a busybox initramfs and a QEMU (TCG)
runner, used by the system tests as a real vhost-user front-end (QEMU's
vhost-user-blk-pci with the kernel's virtio_blk driver), and a live one
(QMP, console read as it comes) for live migration. See README.md."""

from .deps import MissingDependency
from .initramfs import build_base, make_initrd, script_archive
from .live import LiveGuest
from .qmp import Qmp, QmpError
from .runner import GuestRun, boot, qemu_argv

__all__ = ["MissingDependency", "build_base", "make_initrd", "script_archive", "GuestRun",
           "LiveGuest", "Qmp", "QmpError", "boot", "qemu_argv"]
