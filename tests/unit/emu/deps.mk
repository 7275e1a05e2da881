UT_DEPS_emu := emu initiator lib/vhost lib/virtio lib/mem lib/util
