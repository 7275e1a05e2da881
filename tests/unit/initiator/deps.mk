UT_DEPS_initiator := perf initiator lib/vhost lib/scsi lib/nvme lib/nvmf lib/vfio-user lib/virtio lib/mem lib/rpc lib/env lib/util
