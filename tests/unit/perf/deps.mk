UT_DEPS_perf := perf initiator lib/vhost lib/scsi lib/virtio lib/mem lib/env lib/util
