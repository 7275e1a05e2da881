FUZZ_DEPS_nvmf_admin := lib/nvmf lib/mem lib/util
