UT_DEPS_perf := perf initiator lib/vhost lib/virtio lib/mem lib/env lib/util
