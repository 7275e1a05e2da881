FUZZ_DEPS_virtq_chain := lib/virtio lib/mem lib/util
