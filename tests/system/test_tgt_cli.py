# SPDX-License-Identifier: MIT
"""The command lines: storlab-tgt's options and signals, `storlab`'s
subcommands, and the JSON-RPC management surface (create / get / delete and
its errors)."""

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
    assert isinstance(result, list) and len(result) == 1, result
    return result[0]


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
BDEV_KEYS = ("name", "aliases", "product_name", "block_size", "num_blocks", "uuid", "claimed",
             "required_alignment", "write_cache", "supported_io_types", "driver_specific")


@pytest.mark.parametrize("kind", sorted(BDEVS))
def test_rpc_bdev_lifecycle(kind, tgt, workdir):
    create, name, num_blocks, block_size = BDEVS[kind]
    with open(workdir / "f.img", "wb") as f:
        f.truncate(16 * MiB)
    assert tgt.rpc(*create(workdir)) == name     # "Answers the name."
    b = one(tgt.rpc("bdev_get_bdevs", "-b", name))
    missing = set(BDEV_KEYS) - set(b)
    assert not missing, "bdev_get_bdevs lacks %s: %s" % (sorted(missing), b)
    assert b["name"] == name
    assert b["block_size"] == block_size, b
    assert b["num_blocks"] == num_blocks, b
    assert b["claimed"] is False, b
    assert name in names(tgt.rpc("bdev_get_bdevs"), "name")
    assert tgt.rpc("bdev_%s_delete" % kind, name) is True
    assert name not in names(tgt.rpc("bdev_get_bdevs"), "name")
    tgt.rpc_error("bdev_get_bdevs", "-b", name, code=-19)


def test_rpc_controller_lifecycle(tgt):
    tgt.malloc("Malloc0", 16, 512)
    tgt.malloc("Malloc1", 16, 512)
    tgt.controller("vhost.0", "Malloc0", cpumask="0x2", num_queues=2)
    tgt.controller("vhost.1", "Malloc1", readonly=True)

    def ctrl(name, cpumask, num_queues, readonly, bdev):
        return {"ctrlr": name, "cpumask": cpumask, "delay_base_us": 0, "iops_threshold": 0,
                "socket": tgt.sock(name), "num_queues": num_queues, "connected": False,
                "backend_specific": {"block": {"readonly": readonly, "bdev": bdev,
                                               "transport": "vhost_user_blk"}}}

    vhost0 = ctrl("vhost.0", "0x2", 2, False, "Malloc0")
    # Defaults: every reactor's core, 16 queues.
    vhost1 = ctrl("vhost.1", "0x3", 16, True, "Malloc1")
    assert one(tgt.rpc("vhost_get_controllers", "-n", "vhost.0")) == vhost0
    assert one(tgt.rpc("vhost_get_controllers", "-n", "vhost.1")) == vhost1
    assert sorted(tgt.rpc("vhost_get_controllers"), key=lambda c: c["ctrlr"]) == [vhost0, vhost1]
    assert one(tgt.rpc("bdev_get_bdevs", "-b", "Malloc0"))["claimed"] is True
    s = tgt.stats("vhost.0")
    assert s["bdev"] == "Malloc0" and len(s["queues"]) == 2, s
    assert os.path.exists(tgt.sock("vhost.0"))
    assert tgt.rpc("vhost_delete_controller", "vhost.0") is True
    assert not os.path.exists(tgt.sock("vhost.0")), "socket left after the controller went"
    tgt.rpc_error("vhost_get_controllers", "-n", "vhost.0", code=-19)
    tgt.rpc_error("vhost_get_controller_stats", "-n", "vhost.0", code=-19)
    assert names(tgt.rpc("vhost_get_controllers"), "ctrlr") == ["vhost.1"]
    # Its bdev is free again.
    assert one(tgt.rpc("bdev_get_bdevs", "-b", "Malloc0"))["claimed"] is False
    assert tgt.rpc("bdev_malloc_delete", "Malloc0") is True


def test_rpc_reactors(tgt):
    r = tgt.rpc("framework_get_reactors")
    assert set(r) == {"tick_rate", "pid", "reactors"}, r
    assert r["pid"] == tgt.bg.pid, r
    assert [x["lcore"] for x in r["reactors"]] == [0, 1], r
    for x in r["reactors"]:
        assert set(x) == {"lcore", "busy", "idle", "in_interrupt", "mode", "sleeps", "pollers",
                          "lw_threads"}, x
        assert x["mode"] == "adaptive" and x["lw_threads"] == [], x


# ---- JSON-RPC errors ------------------------------------------------------------------

EEXIST, ENOENT, ENODEV, EBUSY = -17, -2, -19, -16


def test_rpc_errors(tgt, workdir):
    tgt.malloc("Malloc0", 16, 512)
    tgt.rpc_error("bdev_malloc_create", "-b", "Malloc0", 16, 512, code=EEXIST)
    tgt.rpc_error("bdev_null_create", "Malloc0", 16, 512, code=EEXIST)   # another type's name
    tgt.rpc_error("bdev_malloc_create", "-b", "Bad0", 16, 513, code=-32602, says="block_size")
    tgt.rpc_error("bdev_uring_create", workdir / "missing.img", "U0", code=ENOENT)
    tgt.rpc_error("bdev_malloc_delete", "NoSuch0", code=ENODEV)
    tgt.rpc_error("vhost_create_blk_controller", "vhost.x", "NoSuch0", code=ENODEV)
    assert not os.path.exists(tgt.sock("vhost.x"))
    tgt.rpc_error("vhost_create_blk_controller", "vhost.p", "Malloc0", "--packed-ring",
                  code=-32602, says="packed ring not supported yet")
    tgt.rpc_error("vhost_create_blk_controller", "vhost.c", "Malloc0", "--cpumask", "0x4",
                  code=-32602, says="cpumask")
    tgt.rpc_error("vhost_create_blk_controller", "vhost.q", "Malloc0", "--num-queues", 65,
                  code=-32602, says="num_queues")
    for c in ("vhost.p", "vhost.c", "vhost.q"):
        assert not os.path.exists(tgt.sock(c))
    tgt.controller("vhost.0", "Malloc0")
    tgt.rpc_error("vhost_create_blk_controller", "vhost.0", "Malloc0", code=EEXIST)
    tgt.rpc_error("bdev_malloc_delete", "Malloc0", code=EBUSY, says="in use by a controller")
    assert one(tgt.rpc("bdev_get_bdevs", "-b", "Malloc0"))["name"] == "Malloc0"
    tgt.rpc_error("vhost_delete_controller", "vhost.nosuch", code=ENODEV)
    tgt.rpc_error("no_such_method", code=-32601)
    # The target is still fine after all that.
    assert tgt.alive()
    assert names(tgt.rpc("vhost_get_controllers"), "ctrlr") == ["vhost.0"]


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
