UT_DEPS_nvmf := lib/nvmf lib/mem lib/util
