FUZZ_DEPS_blk_req := target/frontend target/bdev lib/rpc lib/vhost lib/virtio lib/mem lib/env lib/util
