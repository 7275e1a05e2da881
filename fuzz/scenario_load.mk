FUZZ_DEPS_scenario_load := lib/scenario lib/rpc lib/util
