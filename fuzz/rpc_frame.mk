FUZZ_DEPS_rpc_frame := lib/rpc lib/util
