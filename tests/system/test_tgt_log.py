# SPDX-License-Identifier: MIT
"""Dirty logging in storlab-tgt (vhost-user.rst "Migration", "Log
description", "VHOST_USER_SET_LOG_BASE"), seen from a raw front-end.

The front-end negotiates VHOST_F_LOG_ALL and VHOST_USER_PROTOCOL_F_LOG_SHMFD,
shares a memfd log, and logs the used ring of its ring (VHOST_VRING_F_LOG)
at a log_guest_addr outside guest memory, placed so that the used idx and
the used entries fall in two different log pages. Each request's buffers sit
at known guest addresses; after the request completes the test reads the
log and checks exactly which pages are marked: the pages the back-end wrote
(read data, status byte, used ring), and not those it only read (request
header, write data). The data read back is compared with what was written.
"""

import mmap
import os
import struct
import time

import pytest

from conftest import wait_for
from vhost_user_fe import (BLK_S_OK, BLK_T_IN, BLK_T_OUT, F_LOG_ALL, GET_VRING_BASE, MEM_SIZE,
                           PF_LOG_SHMFD, SET_VRING_BASE, SET_VRING_KICK, VRING_F_LOG, Frontend)

BLOCK = 512
PAGE = 0x1000
# Covers 8192 pages (32 MiB of guest addresses): guest memory (8 MiB) and
# the logged used ring at 16 MiB.
LOG_SIZE = 1024
# The used ring's flags and idx at the end of page 0x1000, its entries from
# the start of page 0x1001.
LOG_USED_GPA = 0x1000FFC
USED_PAGES = {LOG_USED_GPA // PAGE, (LOG_USED_GPA + 4) // PAGE}
# Guest addresses of each request's header, data and status.
WRITE_AT = (0x480000, 0x500000, 0x580010)
READ_AT = (0x400000, 0x1FF800, 0x300010)  # data across pages 0x1ff and 0x200


def pattern(seed, n):
    return bytes((seed * 31 + i * 7) & 0xFF for i in range(n))


def memfd_log(size, name="log"):
    fd = os.memfd_create(name, os.MFD_CLOEXEC)
    os.ftruncate(fd, size)
    return fd


class Log:
    """A log the test shares with the back-end."""

    def __init__(self, size=LOG_SIZE):
        self.fd = memfd_log(size)
        self.map = mmap.mmap(self.fd, size)

    def close(self):
        self.map.close()
        os.close(self.fd)

    def clear(self):
        self.map[:] = bytes(len(self.map))

    def pages(self):
        """The pages marked: page p is bit p % 8 of byte p / 8 ("Migration")."""
        return {i * 8 + b for i, byte in enumerate(bytes(self.map)) for b in range(8)
                if byte >> b & 1}


def pages_of(gpa, n):
    return set(range(gpa // PAGE, (gpa + n - 1) // PAGE + 1))


def run(fe, rtype, sector, at, data=None, length=0):
    """One request at guest addresses AT, waited for: its data gpa."""
    count = fe.used_idx(0) + 1
    _, buf, st = fe.submit(0, rtype, sector, data=data, length=length, at=at)
    fe.kick(0)
    fe.wait_used(0, count)
    assert fe.status(st) == BLK_S_OK
    return buf


@pytest.fixture
def fe(tgt):
    tgt.malloc("Malloc0", 16, BLOCK)
    tgt.controller("v0", "Malloc0", num_queues=1)
    f = Frontend(tgt.sock("v0"))
    yield f
    f.close()


def test_log_marks_exactly_the_pages_written(tgt, fe):
    log = Log()
    try:
        fe.setup(features=F_LOG_ALL, pfeatures=PF_LOG_SHMFD, vring_flags=VRING_F_LOG,
                 log_addr=LOG_USED_GPA)
        # "Communication": the reply is mandatory with LOG_SHMFD; its
        # payload is N/A.
        assert fe.set_log_base(LOG_SIZE, fds=[log.fd]) == b""

        # A write: the back-end only reads its data, so only the status
        # byte and the used ring are marked.
        data = pattern(3, 4096)
        log.clear()
        run(fe, BLK_T_OUT, 0, WRITE_AT, data=data)
        assert log.pages() == pages_of(WRITE_AT[2], 1) | USED_PAGES

        # A read into a buffer across a page boundary: both data pages,
        # the status page and the used ring; not the header's page.
        log.clear()
        fe.put(READ_AT[1], bytes(4096))
        buf = run(fe, BLK_T_IN, 0, READ_AT, length=4096)
        assert log.pages() == pages_of(READ_AT[1], 4096) | pages_of(READ_AT[2], 1) | USED_PAGES
        assert pages_of(READ_AT[1], 4096) == {0x1FF, 0x200}
        assert fe.get(buf, 4096) == data, "the read did not return what was written"
    finally:
        log.close()


def test_new_log_replaces_old_and_bad_log_keeps_it(tgt, fe):
    old, new = Log(), Log()
    short = memfd_log(64)
    try:
        fe.setup(features=F_LOG_ALL, pfeatures=PF_LOG_SHMFD, vring_flags=VRING_F_LOG,
                 log_addr=LOG_USED_GPA)
        assert fe.set_log_base(LOG_SIZE, fds=[old.fd]) == b""
        data = pattern(5, 2048)
        run(fe, BLK_T_OUT, 8, WRITE_AT, data=data)
        assert pages_of(WRITE_AT[2], 1) <= old.pages()

        # Refused (fd shorter than the log): the old log stays in use.
        assert fe.set_log_base(LOG_SIZE, fds=[short]) == b""
        tgt.wait_log(r"SET_LOG_BASE.*runs past the end of the fd")
        old.clear()
        run(fe, BLK_T_IN, 8, READ_AT, length=2048)
        assert pages_of(READ_AT[1], 2048) <= old.pages()

        # A new log replaces it: marks go there, none to the old one.
        assert fe.set_log_base(LOG_SIZE, fds=[new.fd]) == b""
        old.clear()
        buf = run(fe, BLK_T_IN, 8, READ_AT, length=2048)
        assert new.pages() == pages_of(READ_AT[1], 2048) | pages_of(READ_AT[2], 1) | USED_PAGES
        assert old.pages() == set()
        assert fe.get(buf, 2048) == data
    finally:
        os.close(short)
        old.close()
        new.close()


def test_no_marks_without_log_all_and_bad_logs_refused(tgt, fe):
    log, short = Log(), memfd_log(64)
    small = Log(MEM_SIZE // PAGE // 8 - 1)  # one byte short of guest memory
    try:
        # LOG_SHMFD and a log, a ring with F_LOG, but VHOST_F_LOG_ALL not
        # negotiated: logging is off.
        fe.setup(pfeatures=PF_LOG_SHMFD, vring_flags=VRING_F_LOG, log_addr=LOG_USED_GPA)
        assert fe.offered & F_LOG_ALL, "vhost-user-blk must offer VHOST_F_LOG_ALL"
        assert fe.set_log_base(LOG_SIZE, fds=[log.fd]) == b""
        data = pattern(7, 4096)
        run(fe, BLK_T_OUT, 16, WRITE_AT, data=data)
        buf = run(fe, BLK_T_IN, 16, READ_AT, length=4096)
        assert fe.get(buf, 4096) == data
        assert log.pages() == set(), "marked with VHOST_F_LOG_ALL not negotiated"

        # Bad logs are refused with the mandatory empty reply, and the
        # connection goes on serving.
        bad = [
            (dict(size=0, fds=[log.fd]), r"\"Log description\": log size 0"),
            (dict(size=LOG_SIZE, fds=[short]), r"runs past the end of the fd"),
            (dict(size=LOG_SIZE), r"fds, expected 1"),
            (dict(size=len(small.map), fds=[small.fd]), r"does not cover guest memory"),
            # Covers guest memory, not the logged used ring at 16 MiB.
            (dict(size=MEM_SIZE // PAGE // 8, fds=[log.fd]),
             r"last byte of the ring must fall within"),
            (dict(size=LOG_SIZE, fds=[log.fd], payload=b"\0" * 8), r"payload size 8, expected 16"),
        ]
        for n, (args, says) in enumerate(bad):
            assert fe.set_log_base(**args) == b"", args
            tgt.wait_log(says)
            fresh = pattern(11 + n, 512)
            run(fe, BLK_T_OUT, 32, WRITE_AT, data=fresh)
            buf = run(fe, BLK_T_IN, 32, READ_AT, length=512)
            assert fe.get(buf, 512) == fresh, "after %s" % args
        assert log.pages() == set()
    finally:
        os.close(short)
        small.close()
        log.close()


def test_drain_at_get_vring_base_is_logged_before_the_reply(tgt):
    """The source's last dirty-log sync follows GET_VRING_BASE: whatever the
    back-end wrote while it drained the ring must be marked by the time it
    replies, and nothing may be written after ("Migration": "No further
    update must be done before rings are restarted"). The next owner then
    starts from the index the reply gave."""
    hold_us = 300000
    tgt.malloc("Malloc0", 16, BLOCK)
    tgt.rpc("bdev_delay_create", "-b", "Malloc0", "-d", "Slow0", "-r", hold_us, "-t", hold_us,
            "-w", hold_us, "-n", hold_us)
    tgt.controller("v0", "Slow0", num_queues=1)
    fe = Frontend(tgt.sock("v0"))
    log = Log()
    try:
        fe.setup(features=F_LOG_ALL, pfeatures=PF_LOG_SHMFD, vring_flags=VRING_F_LOG,
                 log_addr=LOG_USED_GPA)
        assert fe.set_log_base(LOG_SIZE, fds=[log.fd]) == b""
        data = pattern(13, 4 * 4096)
        run(fe, BLK_T_OUT, 0, None, data=data)

        # Four reads in flight on the delay bdev, then the ring is stopped.
        reads = [fe.submit(0, BLK_T_IN, 8 * i, length=4096) for i in range(4)]
        fe.kick(0)
        wait_for(lambda: tgt.stats("v0")["queues"][0]["inflight"] == 4, 10,
                 "the four reads to be in flight")
        log.clear()
        state = fe.call(GET_VRING_BASE, struct.pack("<II", 0, 0))
        assert struct.unpack("<II", state) == (0, 5), "GET_VRING_BASE answered %r" % (state,)
        assert fe.used_idx(0) == 5, "the reply came before every request was used"
        written = set(USED_PAGES)
        for i, (_, buf, st) in enumerate(reads):
            assert fe.status(st) == BLK_S_OK
            assert fe.get(buf, 4096) == data[i * 4096:(i + 1) * 4096]
            written |= pages_of(buf, 4096) | pages_of(st, 1)
        assert log.pages() == written, "the drain's writes were not all marked by the reply"

        # Stopped: nothing more is written or marked.
        log.clear()
        _, late, late_st = fe.submit(0, BLK_T_IN, 0, length=4096)
        fe.kick(0)
        time.sleep(0.5)
        assert fe.used_idx(0) == 5 and log.pages() == set(), "the stopped ring was served"

        # The next owner (here the same front-end) starts the ring at the
        # base it was given: the request made available meanwhile is served.
        fe.acked(SET_VRING_BASE, struct.pack("<II", 0, 5))
        fe.acked(SET_VRING_KICK, struct.pack("<Q", 0), fds=[fe.queues[0]["kick"]])
        fe.wait_used(0, 6, timeout=10)
        assert fe.status(late_st) == BLK_S_OK
        assert fe.get(late, 4096) == data[:4096]
    finally:
        log.close()
        fe.close()
