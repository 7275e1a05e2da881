UT_DEPS_scsi := lib/scsi lib/util
