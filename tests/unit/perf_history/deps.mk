UT_DEPS_perf_history := perf lib/util
