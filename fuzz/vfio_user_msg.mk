FUZZ_DEPS_vfio_user_msg := lib/vfio-user lib/mem lib/util
