UT_DEPS_rpc := lib/rpc lib/util
