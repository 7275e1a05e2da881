# tests/peers/vfio_user_sample: a small PCI device served by lib/vfio-user's
# server, the peer of tests/system/test_vfio_user_server.py (raw vfio-user
# messages packed by hand): a BAR0 of registers and a mappable page, a
# type-0 config space, four MSI-X vectors (device.c has the register map).
PEER_DEPS_vfio_user_sample := lib/vfio-user lib/mem lib/util
PEER_CFLAGS_vfio_user_sample :=
PEER_LDLIBS_vfio_user_sample :=
