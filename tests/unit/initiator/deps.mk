UT_DEPS_initiator := perf initiator lib/vhost lib/scsi lib/virtio lib/mem lib/rpc lib/env lib/util
