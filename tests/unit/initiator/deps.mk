UT_DEPS_initiator := perf initiator lib/vhost lib/virtio lib/mem lib/rpc lib/env lib/util
