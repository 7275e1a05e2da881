UT_DEPS_bdev := target/bdev lib/env lib/util
