# tests/peers/rte_vhost_scsi: a vhost-user-scsi back-end on DPDK's rte_vhost
# (Debian libdpdk-dev 22.11) with its own small SCSI emulation: nothing of
# ours is linked in (not lib/scsi, not lib/spec), it is the independent peer
# (DESIGN.md "Real peers, always"). DPDK's flags and the ring code it shares
# with rte_vhost_blk: tests/peers/rte_vhost.mk.
include tests/peers/rte_vhost.mk
PEER_CFLAGS_rte_vhost_scsi := $(RTE_VHOST_CFLAGS)
PEER_LDLIBS_rte_vhost_scsi := $(RTE_VHOST_LDLIBS)
PEER_DEPS_rte_vhost_scsi :=
$(O)/bin/peers/rte_vhost_scsi: $(RTE_VHOST_OBJS)
