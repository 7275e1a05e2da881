FUZZ_DEPS_scsi_host := lib/scsi lib/util
