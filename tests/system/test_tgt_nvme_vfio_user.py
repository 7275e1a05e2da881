# SPDX-License-Identifier: MIT
"""storlab-tgt's vfio-user NVMe controller (nvmf_subsystem_add_listener
-t VFIOUSER), driven by a raw vfio-user client and a minimal NVMe driver in
Python (vfio_user_nvme.py, written from the specs): PCI config space, BAR0
registers, the enable sequence, I/O queues, data written and read back,
statuses, MSI-X, reset, shutdown and the listener's life."""

import os
import select
import struct
import time

import pytest

import vfio_user_nvme as vu
from conftest import check_verify_pass

NQN = "nqn.2019-07.io.spdk:cnode-vfu"
SN, MN = "SNVFU0001", "storlab vfio-user test"
BS, BLOCKS = 512, 16384  # 8 MiB
EEXIST, ENODEV, ENOENT, EBUSY = -17, -19, -2, -16


@pytest.fixture
def ctrl(request, tgt_factory, tmp_path):
    """A subsystem with one namespace over an 8 MiB malloc bdev, served at
    DIR/cntrl by a target in mode request.param (default adaptive); yields
    (tgt, DIR)."""
    tgt = tgt_factory(mode=getattr(request, "param", "adaptive"))
    d = tmp_path / "vfu"
    d.mkdir()
    tgt.rpc("nvmf_create_transport", "-t", "VFIOUSER", "-m", "4", "-q", "64")
    tgt.rpc("bdev_malloc_create", "-b", "M0", "8", str(BS))
    tgt.rpc("nvmf_create_subsystem", NQN, "-a", "-s", SN, "-d", MN)
    assert tgt.rpc("nvmf_subsystem_add_ns", NQN, "M0") == 1
    tgt.rpc("nvmf_subsystem_add_listener", NQN, "-t", "VFIOUSER", "-a", str(d), "-s", "0")
    yield tgt, d


def test_listener_rpc(tgt, tmp_path):
    d = tmp_path / "vfu"
    d.mkdir()
    tgt.rpc("bdev_malloc_create", "-b", "M0", "8", str(BS))
    tgt.rpc("nvmf_create_subsystem", NQN, "-a")
    tgt.rpc("nvmf_subsystem_add_ns", NQN, "M0")
    # The transport first, as SPDK wants it.
    tgt.rpc_error("nvmf_subsystem_add_listener", NQN, "-t", "VFIOUSER", "-a", str(d),
                  code=ENODEV, says="VFIOUSER")
    tgt.rpc("nvmf_create_transport", "-t", "VFIOUSER")
    tgt.rpc_error("nvmf_subsystem_add_listener", NQN, "-t", "TCP", "-a", str(d),
                  code=-32602, says="VFIOUSER")
    tgt.rpc("nvmf_subsystem_add_listener", NQN, "-t", "VFIOUSER", "-a", str(d), "-s", "0")
    assert (d / "cntrl").is_socket()
    tgt.rpc_error("nvmf_subsystem_add_listener", NQN, "-t", "VFIOUSER", "-a", str(d),
                  code=EEXIST)
    [s] = tgt.rpc("nvmf_get_subsystems")
    assert s["listen_addresses"] == [{"transport": "VFIOUSER", "trtype": "VFIOUSER",
                                      "adrfam": "IPv4", "traddr": str(d), "trsvcid": "0"}]
    tgt.rpc("nvmf_subsystem_remove_listener", NQN, "-t", "VFIOUSER", "-a", str(d))
    assert not (d / "cntrl").exists()
    assert tgt.rpc("nvmf_get_subsystems")[0]["listen_addresses"] == []
    tgt.rpc_error("nvmf_subsystem_remove_listener", NQN, "-t", "VFIOUSER", "-a", str(d),
                  code=ENOENT)
    # Deleting the subsystem takes its controller down too.
    tgt.rpc("nvmf_subsystem_add_listener", NQN, "-t", "VFIOUSER", "-a", str(d))
    tgt.rpc("nvmf_delete_subsystem", NQN)
    assert not (d / "cntrl").exists()
    tgt.rpc("bdev_malloc_delete", "M0")  # the namespace's bdev is closed
    tgt.stop()


def test_namespace_change_while_connected(ctrl):
    """Base §5.2.2: a namespace added or removed while the host is connected
    is announced by a Namespace Attribute Changed event and the Changed
    Namespace List log; the new namespace serves I/O, the removed one is
    gone, and its bdev is released."""
    tgt, d = ctrl
    drv = vu.NvmeDriver(str(d / "cntrl"))
    drv.enable()
    drv.create_io_queues()
    # Base §5.1.25.1.5: Namespace Attribute Notices are off until the host
    # turns them on (Asynchronous Event Configuration bit 8), as Linux does.
    assert drv.admin_cmd(vu.ADM_SET_FEATURES, cdw10=vu.FEAT_AEC, cdw11=1 << 8)[0] == 0
    aer = drv.submit(drv.admin, vu.ADM_ASYNC_EVENT)

    tgt.rpc("bdev_malloc_create", "-b", "M1", "4", "4096")
    assert tgt.rpc("nvmf_subsystem_add_ns", NQN, "M1") == 2
    cid, st, dw0 = drv.reap(drv.admin)
    # Figure 150: type 2h (notice), information 00h, log page 04h.
    assert (cid, st) == (aer, 0) and dw0 == 0x00040002
    st, log = drv.get_log_page(vu.LOG_CHANGED_NS, 4096)
    assert st == 0 and struct.unpack_from("<2I", log) == (2, 0)
    st, ids = drv.identify(2)
    assert st == 0 and struct.unpack_from("<3I", ids) == (1, 2, 0)
    pattern = bytes(range(256)) * 16
    assert drv.write(3, pattern, 4096, nsid=2) == 0
    assert drv.read(3, 1, 4096, nsid=2) == (0, pattern)

    drv.submit(drv.admin, vu.ADM_ASYNC_EVENT)
    tgt.rpc("nvmf_subsystem_remove_ns", NQN, "1")
    assert drv.reap(drv.admin)[2] == 0x00040002
    # NVM CS: a command to an inactive namespace: Invalid Namespace or Format.
    assert drv.read(0, 1, BS, nsid=1)[0] == 0x00B
    tgt.rpc("bdev_malloc_delete", "M0")  # no controller holds it any more
    assert drv.read(3, 1, 4096, nsid=2) == (0, pattern)
    drv.close()


def test_storlab_initiator(ctrl, storlab):
    """storlab's own NVMe host (initiator/nvme_vfio_user, written apart
    from this device) brings the controller up and verifies data through
    two I/O queue pairs."""
    _tgt, d = ctrl
    uri = "nvme-vfio-user:" + str(d / "cntrl")
    info = storlab.json("io", "info", uri, "--json")
    assert (info["capacity"], info["block_size"]) == (BLOCKS * BS, BS)
    v = storlab.json("io", "verify", uri, "--queues", 2, "--qd", 16, "--bs", 65536,
                     "--size", BLOCKS * BS, "--passes", 2, "--json")
    check_verify_pass(v, 2, 65536, BLOCKS * BS, 2)


def test_full_completion_queue(ctrl):
    """Base §4.2.4: a CQ of 2 entries holds one completion; the others wait
    in the controller until the host moves the head, and all arrive, in
    order, with their data."""
    _tgt, d = ctrl
    drv = vu.NvmeDriver(str(d / "cntrl"))
    drv.enable()
    q = drv.create_io_queues(entries=16, cq_entries=2)
    blocks = [bytes([i + 1]) * BS for i in range(6)]
    for i, b in enumerate(blocks):
        assert drv.write(i, b, BS) == 0
    cids = []
    for i in range(6):  # six reads at once, each into its own page
        buf = drv.DATA_OFF + i * vu.PAGE
        cids.append(drv.submit(q, vu.NVM_READ, nsid=1, prp1=drv.mem.iova + buf, cdw10=i))
    time.sleep(0.2)  # the controller meets the full CQ
    got = [drv.reap(q) for _ in range(6)]
    assert [(cid, st) for cid, st, _ in got] == [(c, 0) for c in cids]
    for i, b in enumerate(blocks):
        buf = drv.DATA_OFF + i * vu.PAGE
        assert bytes(drv.mem.map[buf:buf + BS]) == b
    drv.close()


def test_unmap_memory_in_use(ctrl):
    """A host that unmaps (vfio-user DMA_UNMAP) the memory its queues are
    in: the target must not read it any more. The controller goes to fatal
    state (Base §3.1.4.6 CSTS.CFS) and the target keeps serving: a new
    client that maps memory and resets the controller reads back what was
    written before."""
    tgt, d = ctrl
    drv = vu.NvmeDriver(str(d / "cntrl"))
    drv.enable()
    drv.create_io_queues()
    data = bytes(range(256)) * (BS // 256)
    assert drv.write(3, data, BS) == 0
    drv.vfu.dma_unmap(drv.mem.iova, drv.mem.size)
    drv.wait_csts(vu.CSTS_CFS, vu.CSTS_CFS)
    drv.close()
    drv = vu.NvmeDriver(str(d / "cntrl"))
    drv.disable()
    drv.enable()
    drv.create_io_queues()
    st, got = drv.read(3, 1, BS)
    assert st == 0 and got == data
    drv.close()
    assert tgt.alive()


def test_flush_every_namespace(tgt, tmp_path):
    """Base §7.2: Flush of NSID FFFFFFFFh flushes each namespace's volatile
    cache (file bdevs have one: VWC is set), a namespace's Flush its own."""
    d = tmp_path / "vfu"
    d.mkdir()
    tgt.rpc("nvmf_create_transport", "-t", "VFIOUSER")
    tgt.rpc("nvmf_create_subsystem", NQN, "-a")
    for name in ("F0", "F1"):
        f = tmp_path / (name + ".img")
        f.write_bytes(bytes(1 << 20))
        tgt.rpc("bdev_aio_create", str(f), name, "512")
        tgt.rpc("nvmf_subsystem_add_ns", NQN, name)
    tgt.rpc("nvmf_subsystem_add_listener", NQN, "-t", "VFIOUSER", "-a", str(d))
    drv = vu.NvmeDriver(str(d / "cntrl"))
    drv.enable()
    assert drv.identify(1)[1][525] & 1, "Identify Controller VWC: a volatile cache"
    drv.create_io_queues()

    def flushes():
        return [tgt.rpc("bdev_get_iostat", "-b", n)["bdevs"][0]["num_flush_ops"]
                for n in ("F0", "F1")]

    before = flushes()
    assert drv.cmd(drv.io, vu.NVM_FLUSH, nsid=0xFFFFFFFF)[0] == 0
    assert [a - b for a, b in zip(flushes(), before)] == [1, 1]
    assert drv.cmd(drv.io, vu.NVM_FLUSH, nsid=2)[0] == 0
    assert [a - b for a, b in zip(flushes(), before)] == [1, 2]
    drv.close()


def le(b):
    return int.from_bytes(b, "little")


def test_pci_config_and_registers(ctrl):
    tgt, d = ctrl
    c = vu.VfioUserClient(str(d / "cntrl"))
    flags, nregions, nirqs = c.device_info()
    assert flags & 0x2  # VFIO_DEVICE_FLAGS_PCI
    assert nregions >= 9 and nirqs >= 3
    cfg = c.read(vu.CONFIG, 0, 64)
    # NVMe over PCIe 1.1 §3.8: class code 01h 08h 02h.
    assert (cfg[0x0B], cfg[0x0A], cfg[0x09]) == (0x01, 0x08, 0x02)
    assert le(cfg[0x10:0x14]) & 0x7 == 0x4, "BAR0 is a 64-bit memory BAR"
    # BAR sizing (PCI Local Bus 3.0 §6.2.5.1): all ones read back the size.
    _f, bar0_size, _o, areas, fd = c.region_info(vu.BAR0)
    os.close(fd)
    c.write(vu.CONFIG, 0x10, b"\xff\xff\xff\xff")
    assert (~(le(c.read(vu.CONFIG, 0x10, 4)) & ~0xF) & 0xFFFFFFFF) + 1 == bar0_size
    assert areas == [(0x1000, bar0_size - 0x1000)], "the doorbells are the mmap area"
    # The capability list: MSI-X with a table of one vector per queue pair + 1.
    caps, ptr = {}, cfg[0x34]
    while ptr:
        caps[cfg[ptr] if ptr < 64 else c.read(vu.CONFIG, ptr, 1)[0]] = ptr
        ptr = c.read(vu.CONFIG, ptr + 1, 1)[0]
    assert {0x01, 0x10, 0x11} <= set(caps), "PM, PCI Express and MSI-X"
    msix_ctrl = le(c.read(vu.CONFIG, caps[0x11] + 2, 2))
    assert (msix_ctrl & 0x7FF) + 1 == 5
    assert c.irq_info(vu.MSIX)[1] == 5

    regs = c.read(vu.BAR0, 0, 8)
    cap = le(regs)
    assert (cap & 0xFFFF) + 1 == 64, "CAP.MQES from max_queue_depth"
    assert cap >> 16 & 1, "CAP.CQR"
    assert cap >> 37 & 1, "CAP.CSS: the NVM command set"
    assert le(c.read(vu.BAR0, vu.VS, 4)) == 0x00020100  # NVMe 2.1
    c.close()


FAILED_FUSED, MISSING_FUSED, COMPARE_FAILURE = 0x009, 0x00A, 0x285


def test_fused_compare_and_write(ctrl):
    """Base §3.4.2 and NVM CS Compare/Write: a fused pair whose Compare
    matches writes; one that does not leaves the blocks as they were, the
    Compare failing with Compare Failure and the Write aborted with Failed
    Fused Command; a fused command without its other half next to it is
    aborted with Missing Fused Command. Identify Controller says FUSES bit
    0."""
    _tgt, d = ctrl
    drv = vu.NvmeDriver(str(d / "cntrl"))
    drv.enable()
    st, idc = drv.identify(1)
    assert st == 0 and le(idc[522:524]) & 1, "FUSES: Compare and Write"
    drv.create_io_queues()
    old, new = b"\x11" * 2 * BS, b"\x22" * 2 * BS
    assert drv.write(40, old, BS) == 0

    done, first, second = drv.compare_and_write(40, old, new, BS)
    assert done == {first: 0, second: 0}
    assert drv.read(40, 2, BS) == (0, new), "the Write ran after the matching Compare"

    done, first, second = drv.compare_and_write(40, old, b"\x33" * 2 * BS, BS)
    assert done == {first: COMPARE_FAILURE, second: FAILED_FUSED}
    assert drv.read(40, 2, BS) == (0, new), "no Write after a Compare Failure"

    # A first command at the tail (its second not in the same doorbell
    # write), then a second one alone: both Missing Fused Command, and the
    # lone Write writes nothing.
    buf = drv.mem.iova + drv.DATA_OFF
    drv.mem.map[drv.DATA_OFF:drv.DATA_OFF + BS] = new[:BS]
    cid = drv.submit(drv.io, vu.NVM_COMPARE, nsid=1, prp1=buf, cdw10=40, fuse=vu.FUSE_FIRST)
    assert drv.reap(drv.io)[:2] == (cid, MISSING_FUSED)
    drv.mem.map[drv.DATA_OFF:drv.DATA_OFF + BS] = old[:BS]
    cid = drv.submit(drv.io, vu.NVM_WRITE, nsid=1, prp1=buf, cdw10=40, fuse=vu.FUSE_SECOND)
    assert drv.reap(drv.io)[:2] == (cid, MISSING_FUSED)
    # A first command followed by a plain Read: the Compare is missing its
    # second, the Read is served on its own.
    drv.mem.map[drv.DATA_OFF:drv.DATA_OFF + BS] = new[:BS]
    cmp = drv.submit(drv.io, vu.NVM_COMPARE, nsid=1, prp1=buf, cdw10=40, fuse=vu.FUSE_FIRST,
                     ring=False)
    rd = drv.submit(drv.io, vu.NVM_READ, nsid=1, prp1=buf + vu.PAGE, cdw10=40)
    done = dict((c, st) for c, st, _ in (drv.reap(drv.io), drv.reap(drv.io)))
    assert done == {cmp: MISSING_FUSED, rd: 0}
    off = drv.DATA_OFF + vu.PAGE
    assert bytes(drv.mem.map[off:off + BS]) == new[:BS]
    # The two halves naming different blocks: the Compare is refused
    # (Invalid Field in Command), the Write aborted.
    drv.mem.map[drv.DATA_OFF + vu.PAGE:drv.DATA_OFF + vu.PAGE + BS] = old[:BS]
    c1 = drv.submit(drv.io, vu.NVM_COMPARE, nsid=1, prp1=buf, cdw10=40, fuse=vu.FUSE_FIRST,
                    ring=False)
    c2 = drv.submit(drv.io, vu.NVM_WRITE, nsid=1, prp1=buf + vu.PAGE, cdw10=41,
                    fuse=vu.FUSE_SECOND)
    done = dict((c, st) for c, st, _ in (drv.reap(drv.io), drv.reap(drv.io)))
    assert done == {c1: 0x002, c2: FAILED_FUSED}
    assert drv.read(40, 2, BS) == (0, new)
    drv.close()


def delayed_ns(tgt, d, read_us, write_us):
    """Namespace 2 over a delay bdev (reads held read_us, writes write_us),
    and a driver enabled with its I/O queues."""
    tgt.rpc("bdev_malloc_create", "-b", "M1", "1", str(BS))
    tgt.rpc("bdev_delay_create", "-b", "M1", "-d", "D0", "-r", str(read_us), "-t",
            str(read_us), "-w", str(write_us), "-n", str(write_us))
    assert tgt.rpc("nvmf_subsystem_add_ns", NQN, "D0") == 2
    drv = vu.NvmeDriver(str(d / "cntrl"))
    drv.enable()
    return drv


def test_fused_waits_for_writes(ctrl):
    """The fused gate (docs/architecture.md): a fused pair starts once every
    command that changes data already started has completed, so its Compare
    sees a Write submitted just before it, however slow (a delay bdev holds
    writes 500 ms and reads not at all: without the gate the Compare would
    read the blocks before that Write and fail)."""
    tgt, d = ctrl
    drv = delayed_ns(tgt, d, 0, 500000)
    drv.create_io_queues()
    new, newer = b"\x44" * BS, b"\x55" * BS
    buf, w_off = drv.mem.iova + drv.DATA_OFF, drv.DATA_OFF + 2 * vu.PAGE
    drv.mem.map[w_off:w_off + BS] = new
    drv.mem.map[drv.DATA_OFF:drv.DATA_OFF + BS] = new
    drv.mem.map[drv.DATA_OFF + vu.PAGE:drv.DATA_OFF + vu.PAGE + BS] = newer
    # One doorbell write: the slow Write, then the pair expecting its data.
    w = drv.submit(drv.io, vu.NVM_WRITE, nsid=2, prp1=drv.mem.iova + w_off, cdw10=7,
                   ring=False)
    c1 = drv.submit(drv.io, vu.NVM_COMPARE, nsid=2, prp1=buf, cdw10=7, fuse=vu.FUSE_FIRST,
                    ring=False)
    c2 = drv.submit(drv.io, vu.NVM_WRITE, nsid=2, prp1=buf + vu.PAGE, cdw10=7,
                    fuse=vu.FUSE_SECOND)
    assert [drv.reap(drv.io)[:2] for _ in range(3)] == [(w, 0), (c1, 0), (c2, 0)]
    assert drv.read(7, 1, BS, nsid=2) == (0, newer)
    drv.close()


ABORT_REQUESTED, ABORT_LIMIT_EXCEEDED = 0x007, 0x103


def test_abort(ctrl):
    """Base §5.1.1 Abort: a command a delay bdev still holds is taken back
    (it completes with Command Abort Requested, the Abort's Dword 0 bit 0
    is 0); one that is not outstanding, or on a queue that does not exist,
    is "not aborted" (bit 0 set); more than ACL + 1 Aborts outstanding at
    once get Abort Command Limit Exceeded."""
    tgt, d = ctrl
    drv = delayed_ns(tgt, d, 3000000, 3000000)
    st, idc = drv.identify(1)
    acl = idc[258]
    assert st == 0 and acl == 3
    drv.create_io_queues()
    buf = drv.mem.iova + drv.DATA_OFF

    def abort(sqid, cid):
        return drv.admin_cmd(vu.ADM_ABORT, cdw10=cid << 16 | sqid)

    assert abort(5, 1) == (0, 1), "no SQ 5: not aborted"
    assert abort(1, 0xBEEF) == (0, 1), "no such command: not aborted"

    start = time.monotonic()
    rd = drv.submit(drv.io, vu.NVM_READ, nsid=2, prp1=buf)
    time.sleep(0.2)  # fetched and held by the delay bdev
    assert abort(1, rd) == (0, 0), "taken back"
    assert drv.reap(drv.io)[:2] == (rd, ABORT_REQUESTED)
    assert time.monotonic() - start < 2, "completed at the Abort, not after the delay"

    # ACL + 2 Aborts in one doorbell write, each for a held Read: the
    # first ACL + 1 take their Read back, the last is over the limit.
    reads = [drv.submit(drv.io, vu.NVM_READ, nsid=2, prp1=buf) for _ in range(acl + 1)]
    time.sleep(0.2)
    aborts = [drv.submit(drv.admin, vu.ADM_ABORT, cdw10=cid << 16 | 1, ring=False)
              for cid in reads]
    aborts.append(drv.submit(drv.admin, vu.ADM_ABORT, cdw10=reads[0] << 16 | 1))
    got = dict((cid, (st, dw0)) for cid, st, dw0 in (drv.reap(drv.admin) for _ in aborts))
    assert got[aborts[-1]][0] == ABORT_LIMIT_EXCEEDED
    assert [got[a] for a in aborts[:-1]] == [(0, 0)] * (acl + 1)
    done = dict(drv.reap(drv.io)[:2] for _ in reads)
    assert done == dict((cid, ABORT_REQUESTED) for cid in reads)
    # A fused pair waiting behind a held Write (the fused gate) is still
    # in the target, not started: its Compare is taken back there, the
    # Write it guards is aborted with it; the held Write from the bdev.
    w = drv.submit(drv.io, vu.NVM_WRITE, nsid=2, prp1=buf)
    c1 = drv.submit(drv.io, vu.NVM_COMPARE, nsid=2, prp1=buf, fuse=vu.FUSE_FIRST, ring=False)
    c2 = drv.submit(drv.io, vu.NVM_WRITE, nsid=2, prp1=buf, fuse=vu.FUSE_SECOND)
    time.sleep(0.2)
    assert abort(1, c1) == (0, 0) and abort(1, w) == (0, 0)
    done = dict(drv.reap(drv.io)[:2] for _ in range(3))
    assert done == {w: ABORT_REQUESTED, c1: ABORT_REQUESTED, c2: FAILED_FUSED}
    # A Read left alone completes after the delay, unharmed.
    assert drv.rw(vu.NVM_READ, 0, 1, BS, nsid=2) == 0
    drv.close()


FEAT_IRQ_COALESCING, FEAT_IRQ_VECTOR_CONFIG = 0x08, 0x09


def test_interrupt_coalescing(ctrl):
    """Base 2.1 §5.1.25.2.2 Interrupt Coalescing: once the host sets THR and
    TIME, an I/O CQ's vector fires once per THR + 1 completions, or once
    the first waited TIME x 100 us; never on the Admin CQ, nor for a vector
    whose Coalescing Disable is set (§5.1.25.2.3). Counted on the MSI-X
    eventfds the client handed over with SET_IRQS."""
    _tgt, d = ctrl
    drv = vu.NvmeDriver(str(d / "cntrl"))
    irq0, irq1 = os.eventfd(0, os.EFD_NONBLOCK), os.eventfd(0, os.EFD_NONBLOCK)
    drv.vfu.set_irq_eventfds(vu.MSIX, 0, [irq0, irq1])
    drv.enable()
    drv.create_io_queues(vector=1)

    def fired(fd):
        """Interrupts since the last call, once the target had time to send
        any it owes (the longest TIME is 25.5 ms)."""
        time.sleep(0.1)
        return os.eventfd_read(fd) if select.select([fd], [], [], 0)[0] else 0

    def reads(n):
        for _ in range(n):
            assert drv.read(0, 1, BS)[0] == 0

    fired(irq0)
    reads(3)
    assert fired(irq1) == 3, "reset value: an interrupt per completion"

    assert drv.admin_cmd(vu.ADM_SET_FEATURES, cdw10=FEAT_IRQ_COALESCING,
                         cdw11=255 << 8 | 7)[0] == 0  # 8 entries, 25.5 ms
    fired(irq0)
    reads(8)
    assert fired(irq1) < 8, "8 completions in far less than 8 x 25.5 ms: coalesced"
    reads(1)
    assert fired(irq1) == 1, "TIME: a lone completion is not left without an interrupt"
    for _ in range(2):
        assert drv.admin_cmd(vu.ADM_SET_FEATURES, cdw10=FEAT_IRQ_COALESCING,
                             cdw11=255 << 8 | 7)[0] == 0
    assert fired(irq0) == 2, "the Admin CQ is never coalesced"

    assert drv.admin_cmd(vu.ADM_SET_FEATURES, cdw10=FEAT_IRQ_VECTOR_CONFIG,
                         cdw11=1 << 16 | 1)[0] == 0
    reads(3)
    assert fired(irq1) == 3, "Coalescing Disable: vector 1 fires per completion again"
    drv.close()
    os.close(irq0)
    os.close(irq1)


def test_get_stats(ctrl):
    """nvmf_get_stats in SPDK's shape (tick_rate, poll_groups with their
    queue pair counts and a VFIOUSER transport entry) counts what the
    controller's queues carried: commands, completions, errors and
    interrupts; the admin queue in the control thread's group, the I/O
    queue in its reactor's."""
    tgt, d = ctrl
    st = tgt.rpc("nvmf_get_stats")
    assert st["tick_rate"] > 0
    app, *reactors = st["poll_groups"]
    assert app["name"] == "app_thread" and reactors
    assert set(st) == {"tick_rate", "poll_groups"}
    assert all(set(g) == {"name", "admin_qpairs", "io_qpairs", "current_admin_qpairs",
                          "current_io_qpairs", "pending_bdev_io", "completed_nvme_io",
                          "transports"} for g in st["poll_groups"]), "storlab-tgt(8)"
    assert all(g["io_qpairs"] == 0 and g["transports"] == [{
        "trtype": "VFIOUSER", "poll_reqs": 0, "completions": 0, "errors": 0,
        "interrupts": 0}] for g in st["poll_groups"])

    drv = vu.NvmeDriver(str(d / "cntrl"))
    drv.enable()
    drv.create_io_queues()  # 2 admin commands
    for i in range(5):
        assert drv.write(i, bytes([i]) * BS, BS) == 0
    assert drv.cmd(drv.io, 0x7E, nsid=1)[0] == 0x001  # an error

    app, *reactors = tgt.rpc("nvmf_get_stats")["poll_groups"]
    assert (app["admin_qpairs"], app["current_admin_qpairs"], app["io_qpairs"]) == (1, 1, 0)
    assert app["transports"][0] == {"trtype": "VFIOUSER", "poll_reqs": 2, "completions": 2,
                                    "errors": 0, "interrupts": 2}
    [io] = [g for g in reactors if g["io_qpairs"]]
    assert io["current_io_qpairs"] == 1 and io["pending_bdev_io"] == 0
    assert io["completed_nvme_io"] == 6
    assert io["transports"][0] == {"trtype": "VFIOUSER", "poll_reqs": 6, "completions": 6,
                                   "errors": 1, "interrupts": 6}

    drv.delete_io_queues()
    app, *reactors = tgt.rpc("nvmf_get_stats")["poll_groups"]
    assert app["transports"][0]["poll_reqs"] == 4
    [io] = [g for g in reactors if g["io_qpairs"]]
    assert (io["io_qpairs"], io["current_io_qpairs"]) == (1, 0), "started once, gone now"
    drv.close()


# Poll mode polls the doorbells on every pass; interrupt and adaptive
# modes on a timer, since a doorbell written to shared memory wakes nobody.
@pytest.mark.parametrize("ctrl", ["adaptive", "poll"], indirect=True)
def test_io_and_lifecycle(ctrl):
    tgt, d = ctrl
    drv = vu.NvmeDriver(str(d / "cntrl"))
    irq0, irq1 = os.eventfd(0, os.EFD_NONBLOCK), os.eventfd(0, os.EFD_NONBLOCK)
    drv.vfu.set_irq_eventfds(vu.MSIX, 0, [irq0, irq1])
    drv.enable()

    # Identify Controller (Base §5.1.13.2.1, Figure 328) says what the RPC set.
    st, idc = drv.identify(1)
    assert st == 0
    assert le(idc[0:2]) == 0x4E58
    assert idc[4:24].decode() == SN.ljust(20) and idc[24:64].decode() == MN.ljust(40)
    assert idc[768:1024].rstrip(b"\0").decode() == NQN
    assert le(idc[78:80]) == 1, "CNTLID: the subsystem's min_cntlid"
    assert le(idc[516:520]) == 32, "NN: max_namespaces"
    # Identify Namespace (NVM CS Figure 97): the bdev's size and block size.
    st, idn = drv.identify(0, nsid=1)
    assert st == 0
    assert le(idn[0:8]) == BLOCKS and le(idn[8:16]) == BLOCKS
    lbaf = 128 + 4 * (idn[26] & 0xF)
    assert 1 << idn[lbaf + 2] == BS
    assert drv.identify(0, nsid=2)[1] == bytes(4096), "an inactive NSID: zeroes"

    drv.create_io_queues(vector=1)

    pattern = bytes((i * 7 + 3) & 0xFF for i in range(8 * BS))
    assert drv.write(100, pattern, BS) == 0
    st, got = drv.read(100, 8, BS)
    assert st == 0 and got == pattern, "the data read back is what was written"
    # The malloc bdev holds it: another LBA reads back zeroes.
    st, got = drv.read(2000, 1, BS)
    assert st == 0 and got == bytes(BS)
    # NVM CS: the I/O CQ interrupts on vector 1, not on the admin one.
    assert select.select([irq1], [], [], 2)[0] == [irq1]
    assert os.eventfd_read(irq1) >= 1
    # The VMM replaces the vector's eventfd while the queue runs: the new
    # one fires from then on, the old one no more.
    irq1b = os.eventfd(0, os.EFD_NONBLOCK)
    drv.vfu.set_irq_eventfds(vu.MSIX, 1, [irq1b])
    assert drv.read(100, 1, BS) == (0, pattern[:BS])
    assert select.select([irq1b], [], [], 2)[0] == [irq1b]
    assert select.select([irq1], [], [], 0)[0] == []
    os.close(irq1b)

    # NVM CS §3.2.1 Compare: equal data succeeds, one byte off is a
    # Compare Failure (SCT 2h, SC 85h).
    assert drv.compare(100, pattern, BS) == 0
    assert drv.compare(100, pattern[:-1] + b"\0", BS) == 0x285
    # Statuses (Base §4.2.3): Invalid Opcode, LBA Out of Range.
    st, _ = drv.cmd(drv.io, 0x7E, nsid=1)
    assert st == 0x001
    assert drv.rw(vu.NVM_READ, BLOCKS - 1, 2, BS) == 0x080
    # Write Zeroes and Flush are served.
    assert drv.cmd(drv.io, vu.NVM_WRITE_ZEROES, nsid=1, cdw10=100, cdw12=7)[0] == 0
    assert drv.read(100, 8, BS) == (0, bytes(8 * BS))
    assert drv.cmd(drv.io, vu.NVM_FLUSH, nsid=1)[0] == 0
    # Dataset Management deallocate: the bdev unmaps each range (ours read
    # back zeroes), a range past the end fails the whole command first.
    assert drv.write(300, pattern, BS) == 0
    [before] = tgt.rpc("bdev_get_iostat", "-b", "M0")["bdevs"]
    assert drv.deallocate([(300, 2), (304, 0), (305, 3)]) == 0
    [after] = tgt.rpc("bdev_get_iostat", "-b", "M0")["bdevs"]
    assert after["num_unmap_ops"] - before["num_unmap_ops"] == 2
    st, got = drv.read(300, 8, BS)
    assert st == 0
    assert got == bytes(2 * BS) + pattern[2 * BS:5 * BS] + bytes(3 * BS)
    assert drv.deallocate([(302, 1), (BLOCKS - 1, 2)]) == 0x080
    assert drv.read(302, 1, BS) == (0, pattern[2 * BS:3 * BS]), "nothing deallocated"
    drv.delete_io_queues()

    # Base §3.7.2: CC.EN 0 resets; the controller enables again.
    drv.disable()
    drv.enable()
    drv.create_io_queues(vector=1)
    assert drv.write(7, pattern[:BS], BS) == 0
    assert drv.read(7, 1, BS) == (0, pattern[:BS])

    # Base §3.6.1: a normal shutdown completes with SHST 10b.
    csts = drv.shutdown()
    assert csts & vu.CSTS_SHST_MASK == vu.CSTS_SHST_DONE

    # The listener goes while the host is connected: the connection closes.
    tgt.rpc("nvmf_subsystem_remove_listener", NQN, "-t", "VFIOUSER", "-a", str(d))
    assert not (d / "cntrl").exists()
    with pytest.raises((ConnectionError, OSError)):
        for _ in range(3):
            drv.reg32(vu.CSTS)
            time.sleep(0.05)
    drv.close()
    os.close(irq0)
    os.close(irq1)
    tgt.stop()
