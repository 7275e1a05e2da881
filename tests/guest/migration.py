# SPDX-License-Identifier: MIT
"""QEMU live migration of the throw-away guest between two QEMUs on loopback.

The source boots the guest; the destination starts with the same machine,
kernel and initrd and `-incoming defer`, and listens where `migrate-incoming`
tells it (127.0.0.1, a port the kernel picks). `migrate` runs on the source's
QMP; `query-migrate` is polled until the migration ends. See
docs/interop/qmp-spec.rst and qapi/migration.json in QEMU for the commands.

The guest runs tests/guest/blkpattern.sh: writers with verified patterns
that keep going through the migration, and a read-back after it.
"""

import time
from pathlib import Path

from . import deps, initramfs, runner
from .live import LiveGuest

PATTERN_TOOL = Path(__file__).with_name("blkpattern.sh")

# /test.sh: one writer per guest CPU (blk-mq maps CPU n to queue n, so both
# virtqueues carry I/O), then wait for the host's word on the console that
# the guest now runs on the destination, let the writers do their last
# generations there, and read everything back. Read-ahead is off so that the
# writers' cached reads touch exactly their own regions; fd 3 holds /dev/vda
# open throughout, as Linux drops a block device's page cache at its last
# close (blkdev_put), and the cached read-back is to find the pages there.
GUEST_SCRIPT = r"""
export K={k} R={r} AFTER={after}
wait_dev /dev/vda 20
echo 0 > /sys/block/vda/queue/read_ahead_kb
exec 3</dev/vda
result mq "$(ls /sys/block/vda/mq | wc -l)"
taskset 1 sh /blkpattern.sh write 0 &
p0=$!
taskset 2 sh /blkpattern.sh write 1 &
p1=$!
while read -r word; do
	[ "$word" = "{word}" ] && break
done
touch /tmp/switched
result switched "$(cat /proc/uptime)"
wait $p0 || fail "writer 0"
wait $p1 || fail "writer 1"
sh /blkpattern.sh verify 0 || fail "verify 0"
sh /blkpattern.sh verify 1 || fail "verify 1"
"""

SWITCHED = "storlab-switched"
WRITERS = 2
# blkpattern.sh's layout: each writer owns R regions of K blocks of BLOCK
# bytes; a generation writes one region; AFTER generations follow the switch.
BLOCK = 4096
K = 16
R = 256
AFTER = 3

# One thread runs every vCPU (QEMU's default for x86 TCG is one thread per
# vCPU): the guest's timing is then the same on every run.
ACCEL = "tcg,thread=single"

# Guest RAM: 256 MiB and 64 KiB, deliberately not a multiple of 256 KiB.
# QEMU before 9.0 migrates a TCG guest's RAM stale (QEMU commit 03bfc2188f,
# "physmem: Fix migration dirty bitmap coherency with TCG memory access"):
# for a RAM block whose length is a multiple of 64 pages, the dirty-bitmap
# sync of each round clears 64 bits at a time and does not reset the TCG
# TLB's not-dirty marks, so the vCPU's later stores to a page already
# written are never marked dirty again and the destination keeps the
# round's old copy. Measured here with QEMU 7.2 and 256 MiB: 1 run in 10 to
# every run (CI, 3 of 3), pages of kernel data (per-CPU counters, timers),
# and the destination guest crashed. A length that is not such a multiple
# takes QEMU's page-by-page sync, which resets the TLB, and the test
# compares both QEMUs' RAM after every migration to show it
# (ram_differences).
MEM_KB = 256 * 1024 + 64

# query-migrate statuses after which nothing more happens.
ENDED = ("completed", "failed", "cancelled")


def guest_initrd(workdir, kver):
    """The initrd both QEMUs load (the same file: the destination's machine
    must match the source's)."""
    return initramfs.make_initrd(GUEST_SCRIPT.format(word=SWITCHED, k=K, r=R, after=AFTER),
                                 Path(workdir) / "guestmig-initrd",
                                 files={"blkpattern.sh": PATTERN_TOOL.read_bytes()}, kver=kver)


def start_pair(workdir, src_sock, dst_sock, queues=2, smp=2, mem_kb=MEM_KB, src_connected=None):
    """Starts the source QEMU (booting, its device on src_sock) and the
    destination (waiting for the migration, its device on dst_sock; -S: it
    stays paused after the migration until `cont`, so that its RAM can be
    compared with the source's first). Returns (source, destination,
    listen URI of the destination). src_connected, if given, is called
    between the two starts and returns once the source's device is
    connected (a recorder in front of both sees the source first)."""
    kver = deps.kernel_version()
    initrd = guest_initrd(workdir, kver)
    src = LiveGuest(runner.qemu_argv(initrd, kver, [(src_sock, queues)], smp,
                                     accel=ACCEL, mem_kb=mem_kb), workdir, "qemu-src")
    dst = None
    try:
        if src_connected:
            src_connected()
        dst = LiveGuest(runner.qemu_argv(initrd, kver, [(dst_sock, queues)], smp,
                                         accel=ACCEL, mem_kb=mem_kb,
                                         extra_qemu_args=["-incoming", "defer", "-S"]),
                        workdir, "qemu-dst")
        dst.qmp.cmd("migrate-incoming", uri="tcp:127.0.0.1:0")
        addrs = dst.qmp.cmd("query-migrate").get("socket-address") or []
        tcp = [a for a in addrs if a.get("type") in ("inet", "tcp")]
        assert tcp, "the destination listens nowhere: query-migrate %s" % (
            dst.qmp.cmd("query-migrate"),)
        uri = "tcp:%s:%s" % (tcp[0]["host"], tcp[0]["port"])
    except BaseException:
        src.close()
        if dst is not None:
            dst.close()
        raise
    return src, dst, uri


def migrate(src, uri, timeout=120, poll=0.1):
    """Migrates src to uri and waits for the end. Returns the last
    query-migrate answer; raises AssertionError with the status and QEMU's
    error description unless it completed."""
    src.qmp.cmd("migrate", uri=uri)
    deadline = time.monotonic() + timeout
    while True:
        info = src.qmp.cmd("query-migrate")
        if info.get("status") in ENDED:
            break
        if time.monotonic() > deadline:
            src.qmp.cmd("migrate_cancel")
            raise AssertionError("migration did not end within %.0f s (cancelled): %s"
                                 % (timeout, info))
        time.sleep(poll)
    if info["status"] != "completed":
        raise AssertionError("migration %s: %s\n--- query-migrate: %s\n--- source console:\n%s"
                             % (info["status"], info.get("error-desc", "no error-desc"), info,
                                src.tail()))
    return info


def ram_differences(src, dst, workdir, mem_kb=MEM_KB):
    """The 4 KiB pages whose contents differ between the two QEMUs' guest
    RAM (QMP pmemsave), both stopped: the source after the migration, the
    destination before `cont`. The back-ends are stopped too (the source's
    rings were stopped by QEMU 1, the destination's are not started), so
    nothing writes in between. Returns [(guest-physical address, the
    source's page, the destination's page)]."""
    dumps = [Path(workdir) / ("%s.ram" % q.name) for q in (src, dst)]
    diff = []
    try:
        for q, path in zip((src, dst), dumps):
            q.qmp.cmd("pmemsave", val=0, size=mem_kb << 10, filename=str(path))
        chunk = 1 << 20
        with open(dumps[0], "rb") as a, open(dumps[1], "rb") as b:
            for base in range(0, mem_kb << 10, chunk):
                x, y = a.read(chunk), b.read(chunk)
                if x == y:
                    continue
                diff += [(base + off, x[off:off + BLOCK], y[off:off + BLOCK])
                         for off in range(0, chunk, BLOCK)
                         if x[off:off + BLOCK] != y[off:off + BLOCK]]
    finally:
        for path in dumps:
            path.unlink(missing_ok=True)
    return diff


def describe_page(addr, old, new, shown=16):
    """One differing page, readably: which bytes differ and how."""
    at = [i for i in range(len(old)) if old[i] != new[i]]
    lo, hi = at[0], min(at[-1] + 1, at[0] + shown)
    return "0x%x: %d bytes differ in [0x%x, 0x%x]; from 0x%x the source has %s, the " \
        "destination %s" % (addr, len(at), at[0], at[-1], lo, old[lo:hi].hex(" "),
                            new[lo:hi].hex(" "))


def expected_blocks(last):
    """{lba: (writer, gen)}: what each block holds once writer w wrote its
    generations 1..last[w] (blkpattern.sh's layout; LBAs in 512-byte sectors)."""
    out = {}
    for w, g_last in last.items():
        for reg in range(min(g_last, R)):
            g = reg + 1 + R * ((g_last - reg - 1) // R)
            for i in range(K):
                out[((w * R + reg) * K + i) * BLOCK // 512] = (w, g)
    return out


def gens(guest, since=None, until=None):
    """{writer: [generation, ...]} of the @@STORLAB-GEN w=W g=G@@ lines on
    guest's console that arrived in [since, until)."""
    out = {w: [] for w in range(WRITERS)}
    for t, arg in guest.markers("GEN"):
        if (since is None or t >= since) and (until is None or t < until):
            kv = dict(p.split("=", 1) for p in arg.split())
            out[int(kv["w"])].append(int(kv["g"]))
    return out


def verdicts(guest):
    """{writer: {"result": "pass"|"fail", key: value ...}} from the verify lines."""
    out = {}
    for _, arg in guest.markers("VERDICT"):
        result, _, rest = arg.partition(" ")
        kv = dict(p.split("=", 1) for p in rest.split() if "=" in p)
        kv["result"] = result
        kv["line"] = arg
        out[int(kv["writer"])] = kv
    return out
