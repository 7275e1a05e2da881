UT_DEPS_endpoint := lib/endpoint lib/rpc lib/util
