# SPDX-License-Identifier: MIT
"""The command lines: storlab-tgt's options and signals, `storlab`'s
subcommands, and the JSON-RPC management surface (create / get / delete and
its errors)."""

import json
import os
import signal
import subprocess

import pytest

from conftest import CLI_BIN, MiB, TGT_BIN, assert_no_san, need_binary, tail


def run(binary, *args, timeout=15):
    """Runs a binary that must end by itself (help, bad options)."""
    argv = [str(need_binary(binary))] + [str(a) for a in args]
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                           stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise AssertionError("`%s` did not exit within %d s (killed)" % (" ".join(argv), timeout))
    assert_no_san(p.stderr, " ".join(argv))
    return p


# ---- help and bad options --------------------------------------------------------------


def test_tgt_help():
    p = run(TGT_BIN, "--help")
    assert p.returncode == 0, p.stderr
    text = (p.stdout + p.stderr).lower()
    assert "usage" in text
    for opt in ("-m", "-s", "-r", "--mode"):
        assert opt in text, "storlab-tgt --help does not mention %s" % opt


@pytest.mark.parametrize("args", [[], ["io"], ["rpc"], ["perf"]], ids=["top", "io", "rpc", "perf"])
def test_cli_help(args):
    p = run(CLI_BIN, *args, "--help")
    assert p.returncode == 0, "storlab %s --help exited %d: %s" % (" ".join(args), p.returncode,
                                                                   p.stderr)
    assert "usage" in (p.stdout + p.stderr).lower()


@pytest.mark.parametrize("bad", [
    ["--bogus"],
    ["--mode", "sometimes"],
    ["-m", "zz"],
    ["-m"],
    ["-L", "loud"],
], ids=["unknown-option", "bad-mode", "bad-mask", "missing-arg", "bad-level"])
def test_tgt_bad_options(bad, workdir):
    (workdir / "s").mkdir()
    args = ["-m", "0x1", "-S", workdir / "s", "-r", workdir / "rpc.sock", "--mode", "adaptive"]
    p = run(TGT_BIN, *(args + bad))
    assert p.returncode == 2, "storlab-tgt %s exited %d, expected 2:\n%s" % (
        " ".join(bad), p.returncode, tail(p.stderr))
    assert p.stderr.strip(), "a usage error without a message"
    assert not (workdir / "rpc.sock").exists()


@pytest.mark.parametrize("bad", [
    ["--bogus"],
    ["no-such-command"],
    ["io", "no-such-op", "vhost-user-blk:/tmp/none.sock"],
    ["io", "read"],
    ["io", "read", "vhost-user-blk:/tmp/none.sock", "--offset", "lots", "--length", "4096"],
    ["io", "verify", "vhost-user-blk:/tmp/none.sock", "--qd", "-1"],
    ["rpc"],
], ids=["unknown-option", "unknown-command", "unknown-io-op", "io-missing-uri",
        "io-bad-number", "verify-bad-qd", "rpc-missing-method"])
def test_cli_bad_options(bad):
    p = run(CLI_BIN, *bad)
    assert p.returncode == 2, "storlab %s exited %d, expected 2:\n%s" % (
        " ".join(bad), p.returncode, tail(p.stderr))
    assert p.stderr.strip(), "a usage error without a message"


def test_io_no_such_socket(storlab):
    # storlab(1): exit 2 is "usage error or could not run".
    p = storlab("io", "info", "vhost-user-blk:/tmp/sl-no-such-dir/x.sock", rc=2)
    assert p.stderr.strip()


def test_rpc_no_such_socket(storlab):
    # storlab rpc retries the connect for -t SECONDS (default 60: a target may
    # still be starting), then gives up as "could not run".
    p = storlab("rpc", "-s", "/tmp/sl-no-such-dir/rpc.sock", "-t", 3, "bdev_get_bdevs", rc=2,
                timeout=30)
    assert p.stderr.strip()


# ---- JSON-RPC: create / get / delete ---------------------------------------------------------


def one(result):
    """bdev_get_bdevs -b / vhost_get_controllers -n answer a list of one."""
    if isinstance(result, list):
        assert len(result) == 1, result
        return result[0]
    return result


def names(result, key):
    return [x[key] for x in result]


BDEVS = {
    # kind: (create args, name, num_blocks, block_size)
    "malloc": (lambda d: ["bdev_malloc_create", "-b", "Malloc0", 32, 4096],
               "Malloc0", 32 * MiB // 4096, 4096),
    "null": (lambda d: ["bdev_null_create", "Null0", 1024, 512], "Null0", 1024 * MiB // 512, 512),
    "uring": (lambda d: ["bdev_uring_create", d / "f.img", "Uring0", 512], "Uring0",
              16 * MiB // 512, 512),
}


@pytest.mark.parametrize("kind", sorted(BDEVS))
def test_rpc_bdev_lifecycle(kind, tgt, workdir):
    create, name, num_blocks, block_size = BDEVS[kind]
    with open(workdir / "f.img", "wb") as f:
        f.truncate(16 * MiB)
    tgt.rpc(*create(workdir))
    b = one(tgt.rpc("bdev_get_bdevs", "-b", name))
    assert b["name"] == name
    assert b["block_size"] == block_size, b
    assert b["num_blocks"] == num_blocks, b
    assert name in names(tgt.rpc("bdev_get_bdevs"), "name")
    tgt.rpc("bdev_%s_delete" % kind, name)
    assert name not in names(tgt.rpc("bdev_get_bdevs"), "name")
    tgt.rpc_error("bdev_get_bdevs", "-b", name)


def test_rpc_controller_lifecycle(tgt):
    tgt.malloc("Malloc0", 16, 512)
    tgt.malloc("Malloc1", 16, 512)
    tgt.controller("vhost.0", "Malloc0", cpumask="0x3", num_queues=2)
    tgt.controller("vhost.1", "Malloc1", readonly=True)
    c = one(tgt.rpc("vhost_get_controllers", "-n", "vhost.0"))
    text = json.dumps(c)
    assert c.get("ctrlr", c.get("name")) == "vhost.0", c
    assert "Malloc0" in text, c
    ro = json.dumps(one(tgt.rpc("vhost_get_controllers", "-n", "vhost.1")))
    assert '"readonly": true' in ro, ro
    assert len(tgt.rpc("vhost_get_controllers")) == 2
    assert os.path.exists(tgt.sock("vhost.0"))
    tgt.rpc("vhost_delete_controller", "vhost.0")
    assert not os.path.exists(tgt.sock("vhost.0")), "socket left after the controller went"
    tgt.rpc_error("vhost_get_controllers", "-n", "vhost.0")
    # Its bdev is free again.
    tgt.rpc("bdev_malloc_delete", "Malloc0")


def test_rpc_reactors(tgt):
    r = tgt.rpc("framework_get_reactors")
    reactors = r["reactors"] if isinstance(r, dict) else r
    cores = sorted(x.get("lcore", x.get("core")) for x in reactors)
    assert cores == [0, 1], r


# ---- JSON-RPC errors ------------------------------------------------------------------


def test_rpc_errors(tgt, workdir):
    tgt.malloc("Malloc0", 16, 512)
    tgt.rpc_error("bdev_malloc_create", "-b", "Malloc0", 16, 512)        # duplicate name
    tgt.rpc_error("bdev_null_create", "Malloc0", 16, 512)                # taken by another type
    tgt.rpc_error("bdev_malloc_create", "-b", "Bad0", 16, 513)           # block size
    tgt.rpc_error("bdev_uring_create", workdir / "missing.img", "U0")    # no such file
    tgt.rpc_error("bdev_malloc_delete", "NoSuch0")
    tgt.rpc_error("vhost_create_blk_controller", "vhost.x", "NoSuch0")   # unknown bdev
    assert not os.path.exists(tgt.sock("vhost.x"))
    tgt.controller("vhost.0", "Malloc0")
    tgt.rpc_error("vhost_create_blk_controller", "vhost.0", "Malloc0")   # duplicate ctrlr
    tgt.rpc_error("bdev_malloc_delete", "Malloc0")                       # in use
    assert one(tgt.rpc("bdev_get_bdevs", "-b", "Malloc0"))["name"] == "Malloc0"
    tgt.rpc_error("vhost_delete_controller", "vhost.nosuch")
    tgt.rpc_error("no_such_method")
    # The target is still fine after all that.
    assert tgt.alive()
    tgt.rpc("vhost_get_controllers")


# ---- signals ----------------------------------------------------------------------------------


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_clean_exit(sig, tgt):
    tgt.malloc("Malloc0", 16, 512)
    tgt.controller("vhost.0", "Malloc0")
    tgt.malloc("Malloc1", 16, 512)
    tgt.controller("vhost.1", "Malloc1")
    tgt.stop(sig)   # exit 0, no sanitizer report, no socket file left
    # A new target starts on the same paths.
    tgt.start()
    tgt.malloc("Malloc0", 16, 512)
    tgt.controller("vhost.0", "Malloc0")
