UT_DEPS_vfio_user := lib/vfio-user lib/mem lib/util
