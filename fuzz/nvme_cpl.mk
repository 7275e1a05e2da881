FUZZ_DEPS_nvme_cpl := lib/nvme lib/vfio-user lib/mem lib/util
