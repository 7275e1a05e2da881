UT_DEPS_emu := emu initiator lib/trace lib/vhost lib/scsi lib/nvme lib/vfio-user lib/virtio lib/mem lib/util
