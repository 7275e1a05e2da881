UT_DEPS_nvme := lib/nvme lib/nvmf lib/mem lib/util
