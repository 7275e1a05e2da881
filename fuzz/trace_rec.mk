FUZZ_DEPS_trace_rec := lib/trace lib/vhost lib/virtio lib/mem lib/util
