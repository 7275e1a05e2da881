UT_DEPS_mem := lib/mem lib/util
