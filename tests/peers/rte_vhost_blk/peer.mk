# tests/peers/rte_vhost_blk: a vhost-user-blk back-end on DPDK's rte_vhost
# (Debian libdpdk-dev 22.11). Nothing of ours is linked in: it is the peer we
# did not write (DESIGN.md "Real peers, always"). DPDK 22.11's headers build
# cleanly with our warnings, and the peer runs under ASan + UBSan (EAL with
# --no-huge --no-pci), so build/san needs no flag filtering.
#
# Without libdpdk-dev the peer builds as a stub that says so and exits 3, so
# that `make all` still works there and the system test fails naming the
# package (tests/system/peers.py).
ifeq ($(shell pkg-config --exists libdpdk 2>/dev/null && echo y),y)
PEER_CFLAGS_rte_vhost_blk := $(shell pkg-config --cflags libdpdk)
PEER_LDLIBS_rte_vhost_blk := $(shell pkg-config --libs libdpdk)
else
$(warning libdpdk-dev is not installed: tests/peers/rte_vhost_blk builds as a stub)
PEER_CFLAGS_rte_vhost_blk := -DSTORLAB_NO_DPDK
PEER_LDLIBS_rte_vhost_blk :=
endif
PEER_DEPS_rte_vhost_blk :=
