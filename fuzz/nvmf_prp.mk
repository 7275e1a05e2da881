FUZZ_DEPS_nvmf_prp := lib/nvmf lib/mem lib/util
