# What the rte_vhost peers (tests/peers/rte_vhost_blk, rte_vhost_scsi) share:
# DPDK's flags and the objects of tests/peers/rte_vhost_dev.c (the rings over
# rte_vhost) and rte_vhost_disk.c (iovecs, a disk in RAM or a file). Each
# peer.mk includes this file; it defines RTE_VHOST_CFLAGS, RTE_VHOST_LDLIBS
# and RTE_VHOST_OBJS once.
#
# DPDK 22.11's headers build cleanly with our warnings, and the peers run
# under ASan + UBSan (EAL with --no-huge --no-pci), so build/san needs no
# flag filtering. Without libdpdk-dev the peers build as stubs that say so
# and exit 3, so that `make all` still works there and the system tests fail
# naming the package (tests/system/peers.py).
ifndef RTE_VHOST_OBJS
ifeq ($(shell pkg-config --exists libdpdk 2>/dev/null && echo y),y)
RTE_VHOST_CFLAGS := $(shell pkg-config --cflags libdpdk)
RTE_VHOST_LDLIBS := $(shell pkg-config --libs libdpdk)
else
$(warning libdpdk-dev is not installed: the tests/peers/rte_vhost_* peers build as stubs)
RTE_VHOST_CFLAGS := -DSTORLAB_NO_DPDK
RTE_VHOST_LDLIBS :=
endif
RTE_VHOST_OBJS := $(O)/tests/peers/rte_vhost_dev.o $(O)/tests/peers/rte_vhost_disk.o
$(RTE_VHOST_OBJS): CFLAGS += $(RTE_VHOST_CFLAGS)
endif
