# SPDX-License-Identifier: MIT
"""A raw vhost-user-scsi front-end for tests, on vhost_user_fe.Frontend:
virtio 1.2 §5.6 requests built byte by byte. Ring 0 is the controlq, 1 the
eventq, 2.. the request queues (§5.6.2); commands carry the default
cdb_size 32 and sense_size 96 (§5.6.4)."""

import struct
import time

from vhost_user_fe import DESC_F_WRITE, Frontend

# §5.6.3 feature bits
SCSI_F_HOTPLUG, SCSI_F_CHANGE = 1 << 1, 1 << 2
CONTROLQ, EVENTQ, REQUESTQ = 0, 1, 2
CDB_SIZE, SENSE_SIZE = 32, 96
REQ_LEN = 19 + CDB_SIZE     # struct virtio_scsi_cmd_req
RESP_LEN = 12 + SENSE_SIZE  # struct virtio_scsi_cmd_resp
# §5.6.6.1 / §5.6.6.2 responses
S_OK, S_OVERRUN, S_ABORTED, S_BAD_TARGET, S_RESET, S_FAILURE = 0, 1, 2, 3, 4, 9
S_FUNCTION_COMPLETE, S_INCORRECT_LUN = 0, 12
T_TMF, TMF_ABORT_TASK, TMF_LUN_RESET = 0, 0, 5
# §5.6.6.3 events
T_TRANSPORT_RESET, T_PARAM_CHANGE, EVENTS_MISSED = 1, 3, 0x80000000
EVT_RESET_RESCAN, EVT_RESET_REMOVED = 1, 2
# SAM-5 status, SPC-5 sense keys
GOOD, CHECK_CONDITION = 0x00, 0x02
SK_ILLEGAL_REQUEST, SK_UNIT_ATTENTION = 0x5, 0x6


def lun_field(target, lun):
    """§5.6.6.1: 1, target, a single level LUN structure, four zeroes."""
    return bytes([1, target, 0, lun, 0, 0, 0, 0])


class Response:
    """What a command got back: the response header and its data-in."""

    def __init__(self, raw, data):
        self.sense_len, self.resid, self.qualifier, self.status, self.response = \
            struct.unpack_from("<IIHBB", raw)
        self.sense = raw[12:12 + self.sense_len]
        self.data = data

    def sense_key_asc(self):
        """(key, asc, ascq) of fixed (70h) or descriptor (72h) sense data."""
        s = self.sense
        if s[0] & 0x7F == 0x72:
            return s[1] & 0xF, s[2], s[3]
        return s[2] & 0xF, s[12], s[13]

    def __repr__(self):
        return "Response(response=%d status=%#x resid=%d sense=%s)" % (
            self.response, self.status, self.resid, self.sense.hex())


class ScsiFrontend(Frontend):
    """A virtio-scsi driver of NREQ request queues over one connection."""

    def setup_scsi(self, nreq=1, features=0):
        self.setup(nqueues=REQUESTQ + nreq, features=features)
        self.used_seen = {}
        self.next_tag = 1

    def wait_head(self, q, head, timeout=10):
        """Waits for HEAD in queue q's used ring: its used length."""
        ring = self.queues[q]
        deadline = time.monotonic() + timeout
        while True:
            idx = self.used_idx(q)
            for i in range(idx):
                h, length = struct.unpack("<II", self.get(ring["used"] + 4 + 8 * (i % 64), 8))
                if h == head and i >= self.used_seen.get((q, head), 0):
                    self.used_seen[(q, head)] = i + 1
                    return length
            assert time.monotonic() < deadline, "queue %d: head %d not used (idx %d)" % (
                q, head, idx)
            time.sleep(0.001)

    def used_order(self, q):
        """The heads of queue q's used ring, in order."""
        ring = self.queues[q]
        return [struct.unpack("<I", self.get(ring["used"] + 4 + 8 * (i % 64), 4))[0]
                for i in range(self.used_idx(q))]

    def command(self, target, lun, cdb, data_out=None, data_in=0, q=REQUESTQ, tag=None):
        """Makes a command available and kicks: returns (head, tag, resp gpa,
        data-in gpa)."""
        tag = tag if tag is not None else self.next_tag
        self.next_tag += 1
        req = self.alloc(REQ_LEN)
        self.put(req, lun_field(target, lun) + struct.pack("<QBBB", tag, 0, 0, 0) +
                 bytes(cdb).ljust(CDB_SIZE, b"\0"))
        resp = self.alloc(RESP_LEN)
        self.put(resp, b"\xee" * RESP_LEN)
        chain = [(req, REQ_LEN, 0)]
        if data_out:
            buf = self.alloc(len(data_out))
            self.put(buf, data_out)
            chain.append((buf, len(data_out), 0))
        chain.append((resp, RESP_LEN, DESC_F_WRITE))
        din = None
        if data_in:
            din = self.alloc(data_in)
            chain.append((din, data_in, DESC_F_WRITE))
        head = self.publish(q, chain)
        self.kick(q)
        return head, tag, resp, din, data_in

    def result(self, sent, q=REQUESTQ, timeout=10):
        head, _, resp, din, n = sent
        self.wait_head(q, head, timeout)
        return Response(self.get(resp, RESP_LEN), self.get(din, n) if din else b"")

    def run(self, target, lun, cdb, **kw):
        """One command, waited for: its Response."""
        q = kw.get("q", REQUESTQ)
        return self.result(self.command(target, lun, cdb, **kw), q)

    def tmf(self, subtype, target, lun, tag=0):
        """Makes a TMF available on the controlq and kicks: (head, response gpa)."""
        req = self.alloc(24)
        self.put(req, struct.pack("<II", T_TMF, subtype) + lun_field(target, lun) +
                 struct.pack("<Q", tag))
        resp = self.alloc(1)
        self.put(resp, b"\xee")
        head = self.publish(CONTROLQ, [(req, 24, 0), (resp, 1, DESC_F_WRITE)])
        self.kick(CONTROLQ)
        return head, resp

    def event_buffer(self):
        """Gives the device one eventq buffer: (head, gpa)."""
        buf = self.alloc(16)
        self.put(buf, b"\xee" * 16)
        head = self.publish(EVENTQ, [(buf, 16, DESC_F_WRITE)])
        self.kick(EVENTQ)
        return head, buf

    def event(self, buf):
        """(event, lun bytes, reason) of a used eventq buffer."""
        raw = self.get(buf, 16)
        return struct.unpack_from("<I", raw)[0], raw[4:12], struct.unpack_from("<I", raw, 12)[0]


def cdb_read16(lba, n):
    return struct.pack(">BBQIBB", 0x88, 0, lba, n, 0, 0)


def cdb_write10(lba, n):
    return struct.pack(">BBIBHB", 0x2A, 0, lba, 0, n, 0)


def cdb_inquiry(alloc, evpd=False, page=0):
    return struct.pack(">BBBHB", 0x12, 1 if evpd else 0, page, alloc, 0)


def cdb_report_luns(alloc):
    return struct.pack(">BBBBBBIBB", 0xA0, 0, 0, 0, 0, 0, alloc, 0, 0)


def cdb_read_capacity16(alloc=32):
    return struct.pack(">BBQIBB", 0x9E, 0x10, 0, alloc, 0, 0)


def cdb_unmap(param_len):
    return struct.pack(">BBIBHB", 0x42, 0, 0, 0, param_len, 0)


def unmap_param(ranges):
    """SBC-4 §5.32.2: the header, then one 16-byte descriptor per (lba, n)."""
    descs = b"".join(struct.pack(">QI4x", lba, n) for lba, n in ranges)
    return struct.pack(">HH4x", 6 + len(descs), len(descs)) + descs
