FUZZ_DEPS_nvmf_io := lib/nvmf lib/util
