# SPDX-License-Identifier: MIT
"""Process helpers of scripts/bench: start and stop
storlab-tgt and qemu-storage-daemon, run storlab commands."""

import os
import signal
import subprocess
import sys
import time

TIMEOUT = 300


def run(argv, what):
    """Runs a command; returns (ok, stdout). Failures are printed with their output."""
    p = subprocess.run([str(a) for a in argv], stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, timeout=TIMEOUT)
    if p.returncode != 0:
        sys.stderr.write("%s failed (exit %d):\n%s%s" % (what, p.returncode, p.stdout, p.stderr))
    return p.returncode == 0, p.stdout


def wait_path(path, proc, log_path, what, timeout=20):
    deadline = time.monotonic() + timeout
    while not os.path.exists(path):
        if proc.poll() is not None or time.monotonic() > deadline:
            stop(proc)
            sys.stderr.write(open(log_path).read())
            raise SystemExit("%s did not start" % what)
        time.sleep(0.05)


def start(argv, log_path, ready_path, what, taskset=None):
    """Starts a daemon with its output in log_path; returns when ready_path exists."""
    prefix = ["taskset", "-c", str(taskset)] if taskset is not None else []
    log = open(log_path, "w")
    proc = subprocess.Popen(prefix + [str(a) for a in argv], stdin=subprocess.DEVNULL,
                            stdout=log, stderr=subprocess.STDOUT)
    log.close()
    wait_path(ready_path, proc, log_path, what)
    return proc


def start_target(build, work, mask="0x1", mode="adaptive"):
    rpc_sock = os.path.join(work, "rpc.sock")
    log_path = os.path.join(work, "tgt.log")
    proc = start([os.path.join(build, "bin", "storlab-tgt"), "-m", mask, "-S", work,
                  "-r", rpc_sock, "--mode", mode], log_path, rpc_sock, "storlab-tgt")
    return proc, rpc_sock, log_path


def start_qsd(work, sock, blockdev, num_queues=1, core=None):
    log_path = os.path.join(work, "qsd.log")
    argv = ["qemu-storage-daemon", "--blockdev", blockdev,
            "--export", "type=vhost-user-blk,id=e0,node-name=d0,addr.type=unix,"
            "addr.path=%s,writable=on,num-queues=%d" % (sock, num_queues)]
    return start(argv, log_path, sock, "qemu-storage-daemon", taskset=core)


def stop(proc, sig=signal.SIGTERM):
    """Stops a daemon; returns its exit code (-1 if it had to be killed)."""
    if proc.poll() is None:
        proc.send_signal(sig)
    try:
        return proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return -1
