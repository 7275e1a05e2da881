UT_DEPS_trace := lib/trace lib/vhost lib/virtio lib/mem lib/util
