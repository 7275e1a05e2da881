# tests/peers/rte_vhost_blk: a vhost-user-blk back-end on DPDK's rte_vhost
# (Debian libdpdk-dev 22.11). Nothing of ours is linked in: it is the peer we
# did not write (DESIGN.md "Real peers, always"). DPDK's flags and the shared
# ring code: tests/peers/rte_vhost.mk.
include tests/peers/rte_vhost.mk
PEER_CFLAGS_rte_vhost_blk := $(RTE_VHOST_CFLAGS)
PEER_LDLIBS_rte_vhost_blk := $(RTE_VHOST_LDLIBS)
PEER_DEPS_rte_vhost_blk :=
$(O)/bin/peers/rte_vhost_blk: $(RTE_VHOST_OBJS)
