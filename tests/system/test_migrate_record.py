# SPDX-License-Identifier: MIT
"""`storlab migrate record` between a front-end and storlab-tgt, `storlab
migrate show` and the Wireshark dissector on what it wrote.

The proxy must be invisible: what goes through it is what arrives (the
initiator's verify passes, the target counts what the initiator sent, bytes
written through it read back the same without it), and the trace must hold
the conversation in order, with the rings' state where they start and stop
read from guest memory. A real QEMU + Linux guest is recorded too."""

import hashlib
import json
import os
import shutil
import socket
import struct
import subprocess

import pytest

from conftest import MiB, check_verify_pass, tail, wait_for
import vhost_user_fe as vu

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DISSECTOR = os.path.join(ROOT, "contrib", "wireshark", "vhost-user.lua")


class Recorder:
    """`storlab migrate record` in the background, front-ends on .sock."""

    def __init__(self, storlab, workdir, upstream, count=1, name="trace.pcapng"):
        """upstream: a socket path, or a list of them (the Nth connection
        to the Nth)."""
        self.sock = str(workdir / ("rec-%s.sock" % name.split(".")[0]))
        self.trace = workdir / name
        ups = [upstream] if isinstance(upstream, (str, os.PathLike)) else upstream
        self.bg = storlab.bg("migrate", "record", "--listen", self.sock,
                             *[a for u in ups for a in ("--upstream", u)],
                             "--out", self.trace, "--count-connections", count,
                             "--timeout", 300)
        wait_for(lambda: os.path.exists(self.sock) or not self.bg.alive(), 10,
                 "the recorder's socket %s" % self.sock)
        assert self.bg.alive(), "storlab migrate record exited:\n" + self.bg.stderr

    @property
    def uri(self):
        return "vhost-user-blk:" + self.sock

    def finish(self, timeout=30):
        """Waits for it to end on its own (--count-connections): exit 0."""
        rc = self.bg.wait(timeout)
        assert rc == 0, "storlab migrate record exited %d:\n%s" % (rc, tail(self.bg.stderr))
        assert not os.path.exists(self.sock), "the recorder left its socket behind"


def show(storlab, trace):
    """`storlab migrate show --json`: the records, in order."""
    out = storlab("migrate", "show", trace, "--json").stdout
    return [json.loads(line) for line in out.splitlines()]


def messages(recs, conn=None):
    return [r for r in recs if r["type"] == "message" and (conn is None or r["conn"] == conn)]


def requests(recs, direction):
    return [r["request"] for r in messages(recs) if r["direction"] == direction]


def in_order(seq, wanted):
    """True if WANTED appears in SEQ in this order (other items between)."""
    it = iter(seq)
    return all(any(x == w for x in it) for w in wanted)


def assert_replies_paired(recs):
    """Each request sent with need_reply (REPLY_ACK) is answered, next on its
    connection, by a reply to the same request: the proxy kept the order of
    both directions."""
    for conn in {r["conn"] for r in recs}:
        msgs = messages(recs, conn)
        for i, m in enumerate(msgs):
            if m["direction"] == "to-backend" and m["flags"] & vu.NEED_REPLY:
                nxt = msgs[i + 1] if i + 1 < len(msgs) else None
                assert nxt and nxt["direction"] == "to-frontend" and nxt.get("reply") and \
                    nxt["request"] == m["request"], (
                        "record %d (%s, need_reply) is not answered next: %r" % (
                            m["record"], m["request"], nxt))


def test_record_verify(tgt, storlab, workdir):
    """Our initiator's verify through the proxy: it passes, the target saw
    exactly its requests, and the trace lists the set-up in order with ring
    states."""
    tgt.malloc("Malloc0", 64, 512)
    tgt.controller("vhost.0", "Malloc0", num_queues=2)
    rec = Recorder(storlab, workdir, tgt.sock("vhost.0"))
    before = tgt.counters("vhost.0")
    v = storlab.json("io", "verify", rec.uri, "--queues", 2, "--qd", 16, "--bs", 4096,
                     "--size", 4 * MiB, "--json", timeout=240)
    check_verify_pass(v, 2, 4096, 4 * MiB, 1)
    n = {pq["queue"]: pq["requests"] // 2 for pq in v["per_queue"]}
    tgt.assert_delta("vhost.0", before, {q: dict(read=c, write=c, bytes_read=c * 4096,
                                                 bytes_written=c * 4096)
                                         for q, c in n.items()}, "through the recorder")
    rec.finish()

    recs = show(storlab, rec.trace)
    assert recs[0]["type"] == "marker" and "opened" in recs[0]["text"], recs[0]
    assert recs[-1]["type"] == "marker" and "closed" in recs[-1]["text"], recs[-1]
    assert {r["conn"] for r in recs} == {1}
    to_be = requests(recs, "to-backend")
    assert in_order(to_be, ["VHOST_USER_GET_FEATURES", "VHOST_USER_SET_FEATURES",
                            "VHOST_USER_SET_MEM_TABLE", "VHOST_USER_SET_VRING_NUM",
                            "VHOST_USER_SET_VRING_ADDR", "VHOST_USER_SET_VRING_BASE",
                            "VHOST_USER_SET_VRING_KICK", "VHOST_USER_SET_VRING_ENABLE"]), to_be
    assert_replies_paired(recs)
    # Features by name, both ways.
    offered = next(m for m in messages(recs) if m["request"] == "VHOST_USER_GET_FEATURES"
                   and m.get("reply"))
    assert "VIRTIO_F_VERSION_1" in offered["payload"]["features"], offered
    acked = next(m for m in messages(recs) if m["request"] == "VHOST_USER_SET_FEATURES"
                 and not m.get("reply"))
    assert set(acked["payload"]["features"]) <= set(offered["payload"]["features"])
    # The memory table: its regions, and one fd per region, described.
    table = next(m for m in messages(recs) if m["request"] == "VHOST_USER_SET_MEM_TABLE"
                 and not m.get("reply"))
    regions = table["payload"]["regions"]
    assert len(regions) == table["payload"]["nregions"] >= 1
    assert [fd["kind"] for fd in table["fds"]] == ["memory"] * len(regions)
    assert [(fd["gpa"], fd["memory_size"]) for fd in table["fds"]] == [
        (r["gpa"], r["memory_size"]) for r in regions]
    # Each ring's start points, with the addresses SET_VRING_ADDR gave and
    # the indices read from guest memory (nothing submitted yet: 0).
    addrs = {m["payload"]["index"]: m["payload"] for m in messages(recs)
             if m["request"] == "VHOST_USER_SET_VRING_ADDR" and not m.get("reply")}
    assert sorted(addrs) == [0, 1]
    for q, a in addrs.items():
        ring = [r["ring"] for r in recs if r["type"] == "ring" and r["ring"]["index"] == q]
        points = [r["point"].split()[0] for r in ring]
        assert in_order(points, ["base", "kick", "enabled"]), points
        for r in ring:
            assert (r["desc"], r["avail"], r["used"]) == (a["desc"], a["avail"], a["used"])
            assert r["avail_idx"] == 0 and r["used_idx"] == 0, r
    # Every message went whole.
    assert not [m for m in messages(recs) if "error" in m]
    # The text form names the requests too.
    text = storlab("migrate", "show", rec.trace).stdout
    assert "fe->be VHOST_USER_SET_MEM_TABLE" in text and "be->fe VHOST_USER_GET_FEATURES" \
        in text, text[:2000]


def test_record_bytes_unchanged(tgt, storlab, workdir):
    """Bytes written through the proxy are on the device: read back directly
    from the target they are the same, and read through the proxy too."""
    tgt.malloc("Malloc0", 16, 512)
    uri = tgt.controller("vhost.0", "Malloc0")
    rec = Recorder(storlab, workdir, tgt.sock("vhost.0"), count=2)
    data = os.urandom(256 * 1024)
    (workdir / "in.bin").write_bytes(data)
    storlab("io", "write", rec.uri, "--offset", 1 * MiB, "--input", workdir / "in.bin")
    storlab("io", "read", uri, "--offset", 1 * MiB, "--length", len(data), "--output",
            workdir / "direct.bin")
    storlab("io", "read", rec.uri, "--offset", 1 * MiB, "--length", len(data), "--output",
            workdir / "proxied.bin")
    rec.finish()
    assert (workdir / "direct.bin").read_bytes() == data, "the target holds other bytes"
    assert (workdir / "proxied.bin").read_bytes() == data, "read through the proxy differs"
    recs = show(storlab, rec.trace)
    assert {r["conn"] for r in recs} == {1, 2}


def test_record_ring_stop(tgt, storlab, workdir):
    """A ring stopped with requests done: the GET_VRING_BASE answer's ring
    state has the indices the guest memory holds (avail = used = base)."""
    tgt.malloc("Malloc0", 16, 512)
    tgt.controller("vhost.0", "Malloc0")
    rec = Recorder(storlab, workdir, tgt.sock("vhost.0"))
    fe = vu.Frontend(rec.sock)
    try:
        fe.setup(1)
        for i in range(5):
            fe.submit(0, vu.BLK_T_OUT, 8 * i, data=bytes([i]) * 4096)
        fe.kick(0)
        fe.wait_used(0, 5)
        base = struct.unpack("<II", fe.call(vu.GET_VRING_BASE, struct.pack("<II", 0, 0)))
    finally:
        fe.close()
    rec.finish()
    assert base == (0, 5)
    recs = show(storlab, rec.trace)
    stops = [r["ring"] for r in recs if r["type"] == "ring" and
             r["ring"]["point"].startswith("stopped")]
    assert len(stops) == 1, stops
    s = stops[0]
    assert (s["index"], s["base"], s["avail_idx"], s["used_idx"], s["num"]) == \
        (0, 5, 5, 5, vu.QSIZE), s
    assert s["avail"] == vu.UVA + vu.RING_BASE + 0x1000, s


def test_record_malformed_forwarded(tgt, storlab, workdir):
    """A message the front-end cuts short is forwarded as far as it came and
    recorded with the error; one with more payload than the target takes is
    forwarded (the target refuses it, not the proxy) and recorded with its
    header."""
    tgt.malloc("Malloc0", 16, 512)
    tgt.controller("vhost.0", "Malloc0")
    rec = Recorder(storlab, workdir, tgt.sock("vhost.0"), count=2)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(rec.sock)
    s.sendall(struct.pack("<III", vu.SET_VRING_NUM, vu.VERSION, 8) + b"\x00\x00\x00")
    s.close()
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(rec.sock)
    s.sendall(struct.pack("<III", vu.SET_VRING_NUM, vu.VERSION, 4096) + b"\x01" * 4096)
    # The target closes a connection whose header is larger than any payload.
    assert s.recv(1) == b""
    s.close()
    rec.finish()
    assert tgt.alive()
    recs = show(storlab, rec.trace)
    m1 = messages(recs, 1)
    assert len(m1) == 1 and m1[0]["error"] == os.strerror(104) and m1[0]["wire"] == 3 \
        and m1[0]["size"] == 8, m1
    m2 = messages(recs, 2)
    assert len(m2) == 1 and m2[0]["request"] == "VHOST_USER_SET_VRING_NUM" and \
        m2[0]["size"] == 4096, m2
    # Whole, or cut short by the target's close while it went through: then
    # recorded with the error and the bytes that did.
    assert ("error" in m2[0]) == (m2[0]["wire"] < 4096), m2


def test_tshark_dissector(tgt, storlab, workdir):
    """tshark with contrib/wireshark/vhost-user.lua decodes a trace: every
    message by its request name, in the order show lists them."""
    if not shutil.which("tshark"):
        pytest.fail("tshark is not installed (Debian package `tshark`; "
                    "scripts/install-deps installs it)", pytrace=False)
    tgt.malloc("Malloc0", 16, 512)
    tgt.controller("vhost.0", "Malloc0", num_queues=2)
    rec = Recorder(storlab, workdir, tgt.sock("vhost.0"))
    storlab("io", "verify", rec.uri, "--queues", 2, "--size", 1 * MiB)
    rec.finish()
    recs = show(storlab, rec.trace)
    p = subprocess.run(["tshark", "-X", "lua_script:" + DISSECTOR, "-r", str(rec.trace), "-V"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert "Lua Error" not in p.stdout + p.stderr and "Malformed" not in p.stdout, \
        tail(p.stdout + p.stderr)
    named = [line.split("Request: ")[1].split(" (")[0] for line in p.stdout.splitlines()
             if line.strip().startswith("Request: ")]
    assert named == [m["request"] for m in messages(recs)], (named[:20], len(named))
    assert "Guest physical address: 0x" in p.stdout
    assert "Need reply: True" in p.stdout
    # One summary line per record, the message ones by name and direction.
    p = subprocess.run(["tshark", "-X", "lua_script:" + DISSECTOR, "-r", str(rec.trace)],
                       capture_output=True, text=True, timeout=120)
    lines = p.stdout.splitlines()
    assert len(lines) == len(recs)
    assert any("fe->be VHOST_USER_SET_MEM_TABLE" in line for line in lines)
    assert any("ring 1 SET_VRING_KICK" in line for line in lines)
    # Without the dissector: a pcapng file whose records name themselves in
    # their comments, time stamps in nanoseconds.
    p = subprocess.run(["tshark", "-r", str(rec.trace), "-T", "fields", "-e", "frame.comment",
                        "-e", "frame.time_epoch"], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    rows = [line.split("\t") for line in p.stdout.splitlines()]
    assert len(rows) == len(recs)
    assert any(r[0] == "conn 1 front-end -> back-end VHOST_USER_SET_MEM_TABLE" for r in rows), \
        rows[:10]
    assert all(len(r[1].split(".")[1]) == 9 for r in rows), rows[:3]
    p = subprocess.run(["capinfos", "-t", "-i", str(rec.trace)], capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 0 and "pcapng" in p.stdout, p.stdout + p.stderr


def test_record_guest(tgt, storlab, workdir):
    """QEMU with a Linux guest through the proxy: the guest's verified
    writes reach the target unchanged, and the trace holds the guest's
    set-up (memory regions, features, both rings) and, when QEMU stops the
    device, each ring's stop state (drained: used = avail = the base)."""
    from test_guest import LENGTH, OFFSET, QUEUES, run_guest

    tgt.malloc("Malloc0", 64, 512)
    uri = tgt.controller("vhost.0", "Malloc0", cpumask="0x3", num_queues=QUEUES)
    rec = Recorder(storlab, workdir, tgt.sock("vhost.0"))
    run = run_guest(rec.sock, workdir)
    rec.finish()
    assert tgt.alive(), "storlab-tgt died while the guest ran:\n" + tgt.log
    assert sum(q["bytes_written"] for q in tgt.stats("vhost.0")["queues"]) == LENGTH
    out = workdir / "host.bin"
    storlab("io", "read", uri, "--offset", OFFSET, "--length", LENGTH, "--output", out)
    assert hashlib.sha256(out.read_bytes()).hexdigest() == run["sha256"], \
        "the target holds other bytes than the guest wrote through the proxy"

    recs = show(storlab, rec.trace)
    assert not [m for m in messages(recs) if "error" in m]
    assert_replies_paired(recs)
    sent = [m for m in messages(recs) if m["direction"] == "to-backend"]
    feats = [m for m in sent if m["request"] == "VHOST_USER_SET_FEATURES"]
    assert feats and "VIRTIO_F_VERSION_1" in feats[-1]["payload"]["features"], feats
    # Guest RAM: a table (SET_MEM_TABLE) or region by region (ADD_MEM_REG,
    # with CONFIGURE_MEM_SLOTS), each fd described as the region it maps.
    mem = [m for m in sent if m["request"] in ("VHOST_USER_SET_MEM_TABLE",
                                               "VHOST_USER_ADD_MEM_REG")]
    assert mem, [m["request"] for m in sent]
    regions = []
    for m in mem:
        if m["request"] == "VHOST_USER_SET_MEM_TABLE":
            regions = list(m["payload"]["regions"])
        else:
            regions.append(m["payload"])
        assert [fd["kind"] for fd in m["fds"]] == ["memory"] * len(m["fds"]) and m["fds"]
    # 512 MiB of guest RAM, all of it shared with the back-end.
    assert sum(r["memory_size"] for r in regions) >= 512 * MiB - 1 * MiB, regions
    for q in range(QUEUES):
        for req in ("VHOST_USER_SET_VRING_NUM", "VHOST_USER_SET_VRING_ADDR",
                    "VHOST_USER_SET_VRING_BASE", "VHOST_USER_SET_VRING_KICK",
                    "VHOST_USER_SET_VRING_CALL"):
            assert any(m["request"] == req and m["payload"]["index"] == q for m in sent), \
                (req, q)
        ring = [r["ring"] for r in recs if r["type"] == "ring" and r["ring"]["index"] == q]
        kicks = [r for r in ring if r["point"].startswith("kick")]
        assert kicks and "avail_idx" in kicks[0] and "used_idx" in kicks[0], ring
        stops = [r for r in ring if r["point"].startswith("stopped")]
        assert stops, "QEMU stopped ring %d without GET_VRING_BASE? %r" % (q, ring)
        s = stops[-1]
        assert s["used_idx"] == s["avail_idx"] == s["base"] & 0xFFFF, s
        assert s["base"] > 0, "ring %d carried no request" % q


class Sink:
    """A stand-in back-end that keeps every byte and fd it is sent (and can
    send its own), so a test can compare what arrived with what was sent."""

    def __init__(self, path):
        self.lsock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.lsock.bind(path)
        self.lsock.listen(1)
        self.lsock.settimeout(10)
        self.conn = None
        self.data = b""
        self.fds = []

    def accept(self):
        self.conn, _ = self.lsock.accept()
        self.conn.settimeout(10)

    def read(self, n):
        """Reads until N bytes arrived in all, keeping the fds that came."""
        while len(self.data) < n:
            msg, anc, _, _ = socket.recv_fds(self.conn, 65536, 64)
            assert msg, "the proxy closed after %d of %d bytes" % (len(self.data), n)
            self.data += msg
            self.fds += anc

    def close(self):
        for fd in self.fds:
            os.close(fd)
        if self.conn:
            self.conn.close()
        self.lsock.close()


def test_record_forwards_exactly(storlab, workdir):
    """Whatever the front-end sends arrives byte for byte, fds with it, even
    what no back-end would take (nine fds, a payload of 70000 bytes), and so
    does what the back-end sends; each is recorded with the tap's error."""
    sink = Sink(str(workdir / "sink.sock"))
    rec = Recorder(storlab, workdir, str(workdir / "sink.sock"))
    fe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    fe.settimeout(10)
    fds = [os.eventfd(0) for _ in range(9)]
    try:
        fe.connect(rec.sock)
        sink.accept()
        call = struct.pack("<III", vu.SET_VRING_CALL, vu.VERSION, 8) + struct.pack("<Q", 0)
        socket.send_fds(fe, [call], fds)
        big = struct.pack("<III", vu.SET_VRING_NUM, vu.VERSION, 70000) + os.urandom(70000)
        fe.sendall(big)
        sink.read(len(call) + len(big))
        assert sink.data == call + big, "the back-end got other bytes than were sent"
        assert len(sink.fds) == 9, sink.fds
        # The fds are the front-end's own, in order: a count written to one
        # is read on the other side.
        for i in (0, 3, 8):
            os.eventfd_write(fds[i], i + 1)
            assert os.eventfd_read(sink.fds[i]) == i + 1
        # And back: a reply with an fd.
        reply = struct.pack("<III", vu.GET_FEATURES, vu.VERSION | vu.REPLY, 8) + \
            struct.pack("<Q", vu.VIRTIO_F_VERSION_1)
        socket.send_fds(sink.conn, [reply], [fds[0]])
        got, anc = b"", []
        while len(got) < len(reply):
            chunk, more, _, _ = socket.recv_fds(fe, 4096, 8)
            assert chunk, "the proxy closed after %d bytes of the reply" % len(got)
            got += chunk
            anc += more
        assert got == reply and len(anc) == 1, (got, anc)
        os.eventfd_write(fds[0], 5)
        assert os.eventfd_read(anc[0]) == 5
        os.close(anc[0])
    finally:
        fe.close()
        for fd in fds:
            os.close(fd)
    rec.finish()
    sink.close()
    recs = messages(show(storlab, rec.trace))
    assert [m["request"] for m in recs] == ["VHOST_USER_SET_VRING_CALL",
                                           "VHOST_USER_SET_VRING_NUM",
                                           "VHOST_USER_GET_FEATURES"], recs
    call_rec, big_rec, reply_rec = recs
    assert call_rec["error"] == os.strerror(71) and len(call_rec["fds"]) == 9, call_rec
    assert big_rec["error"] == os.strerror(90) and big_rec["wire"] == 70000 and \
        big_rec["size"] == 70000, big_rec
    assert "error" not in reply_rec and reply_rec["direction"] == "to-frontend" and \
        reply_rec["payload"]["features"] == ["VIRTIO_F_VERSION_1"], reply_rec


def test_show_refuses_what_is_not_a_trace(tgt, storlab, workdir):
    """show: a file cut in the middle of a record prints what came before
    and exits 1; a file that is no trace exits 2."""
    tgt.malloc("Malloc0", 16, 512)
    tgt.controller("vhost.0", "Malloc0")
    rec = Recorder(storlab, workdir, tgt.sock("vhost.0"))
    storlab("io", "info", rec.uri)
    rec.finish()
    whole = rec.trace.read_bytes()
    n = len(show(storlab, rec.trace))
    cut = workdir / "cut.pcapng"
    cut.write_bytes(whole[:-5])
    p = storlab("migrate", "show", cut, "--json", rc=1)
    assert len(p.stdout.splitlines()) == n - 1, p.stdout
    junk = workdir / "junk.pcapng"
    junk.write_bytes(b"\x00" * 100)
    storlab("migrate", "show", junk, rc=2)


def test_record_upstream_per_connection(tgt_factory, storlab, workdir):
    """--upstream again: the Nth front-end connection goes to the Nth
    back-end (a migration's source, then its destination), later ones to
    the last; more than 8 are refused."""
    a, b = tgt_factory(subdir="A"), tgt_factory(subdir="B")
    for t in (a, b):
        t.malloc("Malloc0", 16, 512)
        t.controller("vhost.0", "Malloc0")
    rec = Recorder(storlab, workdir, [a.sock("vhost.0"), b.sock("vhost.0")], count=3)
    for _ in range(3):
        storlab("io", "info", rec.uri)
    rec.finish()
    opened = [r["text"] for r in show(storlab, rec.trace)
              if r["type"] == "marker" and r["text"].startswith("opened")]
    assert [t.endswith("back-end %s connected" % s) for t, s in
            zip(opened, (a.sock("vhost.0"), b.sock("vhost.0"), b.sock("vhost.0")))] == [True] * 3, \
        opened
    for t in (a, b):
        assert "front-end connected" in t.log
    p = storlab("migrate", "record", "--listen", workdir / "x.sock",
                *["--upstream", a.sock("vhost.0")] * 9, "--out", workdir / "x.pcapng", rc=2)
    assert "at most 8 --upstream" in p.stderr, p.stderr
