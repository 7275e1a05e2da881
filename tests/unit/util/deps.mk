UT_DEPS_util := lib/util
