FUZZ_DEPS_scenario_load := lib/scenario lib/endpoint lib/rpc lib/util
