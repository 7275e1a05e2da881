UT_DEPS_perf := perf initiator lib/vhost lib/scsi lib/nvme lib/vfio-user lib/virtio lib/mem lib/env lib/util
