FUZZ_DEPS_blk_req := target/frontend lib/scsi lib/nvmf lib/vfio-user target/bdev lib/rpc lib/vhost lib/virtio lib/mem lib/env lib/util
