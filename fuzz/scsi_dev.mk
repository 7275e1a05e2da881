FUZZ_DEPS_scsi_dev := lib/scsi lib/util
