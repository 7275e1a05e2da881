FUZZ_DEPS_vhost_backend := lib/vhost lib/virtio lib/mem lib/util
