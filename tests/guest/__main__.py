# SPDX-License-Identifier: MIT
"""Boot the storlab test guest by hand.

    python3 -m tests.guest build                     # build (or reuse) the initramfs
    python3 -m tests.guest run -s /tmp/x/vhost.0 -q 2 -c 'dd if=/dev/vda bs=4k count=1 | xxd | head'
    python3 -m tests.guest run -s SOCK --script mytest.sh
    python3 -m tests.guest shell -s SOCK -q 2        # an interactive busybox shell
    python3 -m tests.guest run --scsi-socket SOCK -q 2 -c 'sg_inq /dev/sda'   # vhost-user-scsi
"""

import argparse
import sys

from . import deps, initramfs, runner


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python3 -m tests.guest",
                                 description="storlab's throw-away Linux guest (QEMU TCG)")
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="build (or reuse) the cached base initramfs, print its path")
    b.add_argument("--kernel", help="kernel version (default: newest in /boot)")
    for name, hlp in (("run", "boot, run a script, print the console, exit with its status"),
                      ("shell", "boot into an interactive shell (poweroff -f to leave)")):
        p = sub.add_parser(name, help=hlp)
        p.add_argument("-s", "--socket", action="append", default=[],
                       help="vhost-user-blk socket (repeatable: /dev/vda, /dev/vdb, ...)")
        p.add_argument("-q", "--num-queues", type=int, default=1,
                       help="queues per vhost-user-blk device, request queues per "
                            "vhost-user-scsi controller (default 1)")
        p.add_argument("--scsi-socket", action="append", default=[],
                       help="vhost-user-scsi socket (repeatable; sg_inq, sg_vpd and "
                            "sg_readcap are in the guest then)")
        p.add_argument("--smp", type=int, default=2, help="guest CPUs (default 2)")
        p.add_argument("--mem", type=int, default=512, help="guest MiB (default 512)")
        p.add_argument("--kernel", help="kernel version (default: newest in /boot)")
        p.add_argument("--append", default="", help="extra kernel command line")
        p.add_argument("--qemu-arg", action="append", default=[],
                       help="extra QEMU argument (repeatable)")
        if name == "run":
            g = p.add_mutually_exclusive_group(required=True)
            g.add_argument("-c", "--command", help="shell commands to run in the guest")
            g.add_argument("--script", help="a shell script file to run in the guest")
            p.add_argument("--timeout", type=float, default=120, help="seconds (default 120)")
            p.add_argument("--log", help="also write the console to this file")
    a = ap.parse_args(argv)
    try:
        if a.cmd == "build":
            print(initramfs.build_base(kver=a.kernel, log=lambda m: print(m, file=sys.stderr)))
            return 0
        devs = [(s, a.num_queues) for s in a.socket]
        scsi = [(s, a.num_queues) for s in a.scsi_socket]
        common = dict(vhost_user_blk=devs, smp=a.smp, mem_mb=a.mem, kver=a.kernel,
                      append=a.append, extra_qemu_args=a.qemu_arg, vhost_user_scsi=scsi,
                      tools=initramfs.SG_TOOLS if scsi else ())
        if a.cmd == "shell":
            r = runner.boot("echo 'storlab guest: poweroff -f to leave'\n"
                            "setsid cttyhack /bin/sh\n", timeout=None, interactive=True,
                            **common)
            return 0 if r.qemu_rc == 0 else 1
        script = a.command if a.command is not None else open(a.script).read()
        r = runner.boot(script, timeout=a.timeout, console_log=a.log, **common)
        sys.stdout.write(r.console)
        print("--- %s in %.1f s; results %s" % ("ok" if r.ok else r.diagnosis(), r.duration,
                                                  r.results), file=sys.stderr)
        return 0 if r.ok else 1
    except deps.MissingDependency as e:
        print("error: %s" % e, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
