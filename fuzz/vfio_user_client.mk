FUZZ_DEPS_vfio_user_client := lib/vfio-user lib/mem lib/util
