# The runner and reports link the initiator only for its feature names.
UT_DEPS_conformance := conformance initiator lib/endpoint lib/vhost lib/scsi lib/nvme lib/vfio-user lib/virtio lib/mem lib/rpc lib/util
