FUZZ_DEPS_vhost_fe_reply := lib/vhost lib/virtio lib/mem lib/util
