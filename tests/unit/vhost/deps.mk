UT_DEPS_vhost := lib/vhost lib/virtio lib/mem lib/util
