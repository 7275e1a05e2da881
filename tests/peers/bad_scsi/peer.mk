# tests/peers/bad_scsi: a vhost-user-scsi back-end on lib/vhost with lib/scsi's
# target emulation, that breaks one requirement of the virtio-scsi suite per
# --break switch (docs/peers.md).
PEER_DEPS_bad_scsi := lib/vhost lib/virtio lib/mem lib/scsi lib/util
PEER_CFLAGS_bad_scsi :=
PEER_LDLIBS_bad_scsi :=
