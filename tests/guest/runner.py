# SPDX-License-Identifier: MIT
"""Boots the throw-away Linux guest under QEMU (TCG) and collects its console.

Facts this is built on are in shared/notes/linux-guest.md: TCG (a KVM guest
hangs in the firmware on these machines), guest memory from a shared memfd
(vhost-user needs it), -smp N to get N virtio-blk queues used by the guest.
"""

import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import deps, initramfs

MARKER = re.compile(r"@@STORLAB-([A-Z-]+)(?: ([^@]*))?@@")


@dataclass
class GuestRun:
    """What one boot produced."""
    argv: list
    console: str = ""
    qemu_rc: int = None
    timed_out: bool = False
    duration: float = 0.0
    booted: bool = False
    test_rc: int = None           # /test.sh's exit status, None if it never ended
    results: dict = field(default_factory=dict)   # result KEY VALUE lines
    failures: list = field(default_factory=list)  # fail MESSAGE lines
    warnings: list = field(default_factory=list)  # e.g. a module that did not load

    @property
    def ok(self):
        return self.test_rc == 0 and not self.timed_out

    @classmethod
    def of_console(cls, argv, console, qemu_rc):
        """A run read from a console captured elsewhere (a LiveGuest's)."""
        run = cls(argv=argv, console=console, qemu_rc=qemu_rc)
        _parse(run)
        return run

    def tail(self, lines=60):
        return "\n".join(self.console.splitlines()[-lines:])

    def diagnosis(self):
        if self.timed_out:
            what = "timed out after %.0f s" % self.duration
        elif not self.booted:
            what = "QEMU exited (rc %s) before the guest reached /init" % self.qemu_rc
        elif self.test_rc is None:
            what = "the guest stopped before /test.sh finished (qemu rc %s)" % self.qemu_rc
        else:
            what = "/test.sh exited %d" % self.test_rc
        if self.failures:
            what += "; fail: " + "; ".join(self.failures)
        if self.warnings:
            what += "; warnings: " + "; ".join(self.warnings)
        return what

    def check(self):
        """Raises AssertionError with the console tail unless the test passed."""
        if not self.ok:
            raise AssertionError("guest: %s\n--- qemu: %s\n--- console (tail):\n%s"
                                 % (self.diagnosis(), " ".join(self.argv), self.tail()))
        return self


def _parse(run):
    for line in run.console.splitlines():
        for m in MARKER.finditer(line):
            word, arg = m.group(1), (m.group(2) or "").strip()
            if word == "BOOTED":
                run.booted = True
            elif word == "TEST-END":
                mm = re.match(r"rc=(\d+)", arg)
                if mm:
                    run.test_rc = int(mm.group(1))
            elif word == "RESULT" and "=" in arg:
                k, v = arg.split("=", 1)
                run.results[k] = v
            elif word == "FAIL":
                run.failures.append(arg)
            elif word == "WARN":
                run.warnings.append(arg)


def _dev_list(devices):
    """(socket path, queues) pairs from paths or such pairs."""
    out = []
    for d in devices or ():
        if isinstance(d, (str, os.PathLike)):
            out.append((str(d), 1))
        else:
            out.append((str(d[0]), int(d[1])))
    return out


def qemu_argv(initrd, kver, vhost_user_blk=(), smp=2, mem_mb=512, append="",
              extra_qemu_args=(), accel="tcg", mem_kb=None, reconnect_s=0,
              vhost_user_scsi=()):
    """QEMU's command line; mem_kb, if given, sizes guest RAM in KiB instead
    of mem_mb; reconnect_s: QEMU connects to a back-end again that many
    seconds after it went away (its chardev's reconnect option);
    vhost_user_scsi: socket paths or (path, request queues) pairs, each a
    vhost-user-scsi-pci controller (QEMU's num_queues counts request queues,
    virtio 1.2 §5.6.4; controlq and eventq come on top)."""
    mem = "%dK" % mem_kb if mem_kb else "%dM" % mem_mb
    argv = [
        deps.qemu_system(),
        "-accel", accel, "-M", "q35", "-m", mem, "-smp", str(smp),
        "-nographic", "-no-reboot", "-nic", "none",
        "-kernel", str(deps.kernel_image(kver)), "-initrd", str(initrd),
        "-append", ("console=ttyS0 panic=-1 quiet loglevel=1 " + append).strip(),
        # vhost-user back-ends map guest memory: it must be a shared fd.
        "-object", "memory-backend-memfd,id=mem,size=%s,share=on" % mem,
        "-numa", "node,memdev=mem",
    ]
    reconnect = ",reconnect=%d" % reconnect_s if reconnect_s else ""
    for i, (sock, nq) in enumerate(_dev_list(vhost_user_blk)):
        argv += ["-chardev", "socket,id=vub%d,path=%s%s" % (i, sock, reconnect),
                 "-device", "vhost-user-blk-pci,chardev=vub%d,num-queues=%d" % (i, nq)]
    if vhost_user_scsi:
        # SeaBIOS drives every virtio-scsi controller it finds to look for
        # a boot disk, through the first request queue only, and waits for
        # it forever: a back-end that starts when all its rings are set up
        # (DPDK rte_vhost's rule) never answers, and the guest hangs in the
        # firmware. qboot (Debian's qemu-system-data) loads -kernel and
        # leaves the controller to the guest's driver.
        argv += ["-bios", deps.qboot_rom()]
    for i, (sock, nq) in enumerate(_dev_list(vhost_user_scsi)):
        argv += ["-chardev", "socket,id=vus%d,path=%s%s" % (i, sock, reconnect),
                 "-device", "vhost-user-scsi-pci,chardev=vus%d,num_queues=%d" % (i, nq)]
    return argv + list(extra_qemu_args)


def boot(script, vhost_user_blk=(), smp=2, mem_mb=512, timeout=120, kver=None,
         append="", extra_qemu_args=(), files=None, console_log=None, interactive=False,
         vhost_user_scsi=(), tools=()):
    """Boots the guest, runs `script` (sh) as /test.sh, returns a GuestRun.

    vhost_user_blk: socket paths, or (path, num_queues) pairs; the guest sees
    them as /dev/vda, /dev/vdb, ... in that order. The script can call
    `result KEY VALUE`, `fail MESSAGE` and `wait_dev /dev/vda [SECONDS]`.
    QEMU is killed after `timeout` seconds. Raises deps.MissingDependency
    (naming the Debian package) when a host ingredient is missing.
    interactive: QEMU gets this terminal (for the CLI); nothing is captured.
    vhost_user_scsi: as qemu_argv's; tools: host programs copied into the
    guest with their libraries (initramfs.build_base).
    """
    kver = kver or deps.kernel_version()
    deps.qemu_system()
    tmpdir = tempfile.mkdtemp(prefix="sl-guest-", dir="/tmp")
    try:
        initrd = initramfs.make_initrd(script, Path(tmpdir) / "initrd", files=files, kver=kver,
                                       tools=tools)
        argv = qemu_argv(initrd, kver, vhost_user_blk, smp, mem_mb, append, extra_qemu_args,
                         vhost_user_scsi=vhost_user_scsi)
        run = GuestRun(argv=argv)
        t0 = time.monotonic()
        if interactive:
            proc = subprocess.Popen(argv)
        else:
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT)
        try:
            out, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            run.timed_out = True
            proc.kill()
            out, _ = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=30)
        run.duration = time.monotonic() - t0
        run.qemu_rc = proc.returncode
        run.console = (out or b"").decode("utf-8", "replace").replace("\r", "")
        if console_log:
            Path(console_log).write_text(run.console)
        _parse(run)
        return run
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
