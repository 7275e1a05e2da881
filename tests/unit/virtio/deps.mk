UT_DEPS_virtio := lib/virtio lib/mem lib/util
