UT_DEPS_scenario := lib/scenario lib/rpc lib/util
