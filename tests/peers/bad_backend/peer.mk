# tests/peers/bad_backend: a vhost-user-blk back-end on our own lib/vhost and
# lib/virtio that breaks one requirement per --break switch (docs/peers.md).
# It uses lib/vhost's internal vhost_dev_create_on_fd / vhost_dev_handle_msg
# (vhost_backend_internal.h) to sit between the library and the front-end.
PEER_DEPS_bad_backend := lib/vhost lib/virtio lib/mem lib/util
PEER_CFLAGS_bad_backend :=
PEER_LDLIBS_bad_backend :=
