FUZZ_DEPS_nvme_cpl := lib/nvme lib/util
