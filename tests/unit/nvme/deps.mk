UT_DEPS_nvme := lib/nvme lib/nvmf lib/vfio-user lib/mem lib/util
