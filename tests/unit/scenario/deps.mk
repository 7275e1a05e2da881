UT_DEPS_scenario := lib/scenario lib/endpoint lib/rpc lib/util
