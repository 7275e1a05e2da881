UT_DEPS_env := lib/env lib/util
