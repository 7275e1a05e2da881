# storlab — one build for everything.
#
#   make            build storlab-tgt, storlab and the unit tests (build/default)
#   make SAN=1      the same with ASan + UBSan (build/san)
#   make check      install deps, build, run unit, fuzz and system tests (under SAN)
#   make demo       install deps, build, run the demo against storlab-tgt
#   make bench      target on core 0, initiator on core 1, vs qemu-storage-daemon
#                   (ci/nightly --bench: the QD sweep of the nightly machinery);
#                   make bench BASE=REV: this tree's target against REV's, one run
#   make fuzz       run every fuzzer for a longer while
#   make mutants    the conformance suites' catch rate: every mutant of storlab-tgt
#                   in tests/mutants through its device's suites (ci/mutants; not
#                   in check)
#   make clean
#
# Components are folders of .c files, each built into its own archive, so a
# half-written part never breaks the build of another. Unit tests live in
# tests/unit/<name>/test_*.c (one binary per file) and say what they link in
# tests/unit/<name>/deps.mk (UT_DEPS_<name> := lib/virtio lib/mem lib/util).
# Fuzzers are fuzz/<name>.c with fuzz/<name>.mk (FUZZ_DEPS_<name> := ...).

SAN ?= 0
ifeq ($(SAN),1)
O ?= build/san
else
O ?= build/default
endif
OF := build/fuzz

CC ?= gcc
FUZZ_CC := clang
WARN := -Wall -Wextra -Werror -Wmissing-declarations -Wstrict-prototypes
CPPFLAGS += -D_GNU_SOURCE -Iinclude -Ilib -I.
CFLAGS := -std=gnu11 -O2 -g -pthread $(WARN) -MMD -MP
LDLIBS := -ljansson -lcyaml -lyaml -luring -lnuma -lsqlite3 -lpcap -lpthread
ifeq ($(SAN),1)
CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif

# The components, each an archive. Order does not matter: links use a group.
COMPONENTS := lib/util lib/env lib/mem lib/virtio lib/vhost lib/rpc lib/endpoint lib/scenario lib/trace lib/scsi lib/nvmf lib/nvme \
	lib/vfio-user target/bdev target/frontend target initiator perf conformance emu
comp_srcs = $(filter-out %/main.c,$(wildcard $(1)/*.c))
comp_ar = $(O)/ar/$(subst /,_,$(1)).a
LIB_COMPONENTS := $(filter lib/%,$(COMPONENTS))
LIB_ARS := $(foreach c,$(LIB_COMPONENTS),$(call comp_ar,$(c)))
TGT_ARS := $(foreach c,target/bdev target/frontend target,$(call comp_ar,$(c)))
INI_ARS := $(call comp_ar,conformance) $(call comp_ar,perf) $(call comp_ar,emu) $(call comp_ar,initiator)
group = -Wl,--start-group $(1) -Wl,--end-group

define comp_rule
$(call comp_ar,$(1)): $(patsubst %.c,$(O)/%.o,$(call comp_srcs,$(1)))
	@mkdir -p $$(@D)
	@rm -f $$@
	$$(AR) rcs $$@ $$^
endef
$(foreach c,$(COMPONENTS),$(eval $(call comp_rule,$(c))))

$(O)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

# Programs.
TGT_BIN := $(O)/bin/storlab-tgt
CLI_BIN := $(O)/bin/storlab
CLI_SRCS := $(wildcard cli/*.c)
BINS :=
ifneq ($(wildcard target/main.c),)
BINS += $(TGT_BIN)
$(TGT_BIN): $(O)/target/main.o $(TGT_ARS) $(LIB_ARS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) $< $(call group,$(TGT_ARS) $(LIB_ARS)) $(LDLIBS) -o $@
endif
ifneq ($(CLI_SRCS),)
BINS += $(CLI_BIN)
$(CLI_BIN): $(patsubst %.c,$(O)/%.o,$(CLI_SRCS)) $(INI_ARS) $(LIB_ARS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) $(filter %.o,$^) $(call group,$(INI_ARS) $(LIB_ARS)) $(LDLIBS) -o $@
endif

# Test peers: programs under tests/peers/<name>/ that play a side we did not
# write (e.g. a DPDK rte_vhost back-end) or misbehave on purpose. Each says
# in tests/peers/<name>/peer.mk what it needs: PEER_DEPS_<name> (components),
# PEER_CFLAGS_<name>, PEER_LDLIBS_<name>.
PEERS := $(patsubst tests/peers/%/,%,$(sort $(dir $(wildcard tests/peers/*/*.c))))
-include $(wildcard tests/peers/*/peer.mk)
PEER_BINS :=
define peer_rule
PEER_BINS += $(O)/bin/peers/$(1)
$(O)/tests/peers/$(1)/%.o: CFLAGS += $(PEER_CFLAGS_$(1))
$(O)/bin/peers/$(1): $(patsubst %.c,$(O)/%.o,$(wildcard tests/peers/$(1)/*.c)) $(foreach c,$(PEER_DEPS_$(1)),$(call comp_ar,$(c)))
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS) $$(LDFLAGS) $$(filter %.o,$$^) $$(call group,$$(filter %.a,$$^)) $$(PEER_LDLIBS_$(1)) $$(LDLIBS) -o $$@
endef
$(foreach p,$(PEERS),$(eval $(call peer_rule,$(p))))

# Unit tests (cmocka).
UT_DIRS := $(patsubst tests/unit/%/,%,$(sort $(dir $(wildcard tests/unit/*/test_*.c))))
-include $(wildcard tests/unit/*/deps.mk)
UT_BINS :=
define ut_rule
UT_BINS += $(patsubst %.c,$(O)/%,$(wildcard tests/unit/$(1)/test_*.c))
$(O)/tests/unit/$(1)/test_%: $(O)/tests/unit/$(1)/test_%.o $(foreach c,$(UT_DEPS_$(1)),$(call comp_ar,$(c)))
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS) $$(LDFLAGS) $$< $$(call group,$$(filter %.a,$$^)) -lcmocka $$(LDLIBS) -o $$@
endef
$(foreach d,$(UT_DIRS),$(eval $(call ut_rule,$(d))))

# Fuzzers (clang + libFuzzer, ASan + UBSan); their own objects under build/fuzz.
FUZZERS := $(patsubst fuzz/%.c,%,$(wildcard fuzz/*.c))
-include $(wildcard fuzz/*.mk)
FUZZ_CFLAGS := -std=gnu11 -O1 -g -pthread -Wall -Wextra -Werror \
	-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer -MMD -MP
FUZZ_BINS := $(patsubst %,$(OF)/bin/%,$(FUZZERS))
$(OF)/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -c $< -o $@
define fuzz_rule
$(OF)/bin/$(1): $(OF)/fuzz/$(1).o $(foreach c,$(FUZZ_DEPS_$(1)),$(patsubst %.c,$(OF)/%.o,$(call comp_srcs,$(c))))
	@mkdir -p $$(@D)
	$$(FUZZ_CC) -fsanitize=fuzzer,address,undefined $$^ $$(LDLIBS) -o $$@
endef
$(foreach f,$(FUZZERS),$(eval $(call fuzz_rule,$(f))))

.DEFAULT_GOAL := all
.PHONY: all deps unit-tests run-unit fuzzers fuzz-short fuzz system check demo bench mutants \
	mutants-check clean

all: $(BINS) $(UT_BINS) $(PEER_BINS)

deps:
	@scripts/install-deps

unit-tests: $(UT_BINS)

run-unit: $(UT_BINS)
	@scripts/run-unit $(UT_BINS)

fuzzers: $(FUZZ_BINS)

FUZZ_RUNS ?= 20000
fuzz-short: $(FUZZ_BINS)
	@scripts/run-fuzz --runs $(FUZZ_RUNS) $(FUZZERS)

FUZZ_SECONDS ?= 60
fuzz: $(FUZZ_BINS)
	@scripts/run-fuzz --seconds $(FUZZ_SECONDS) $(FUZZERS)

# System tests use the python3 that Debian's python3-pytest belongs to.
PYTEST := /usr/bin/python3 -m pytest
system: all
	STORLAB_BUILD=$(abspath $(O)) $(PYTEST) -q tests/system $(PYTEST_ARGS)

# Builds each mutant and runs its device's suites against it (tens of
# minutes): the nightly's job, not check's. MUTANTS_ARGS: e.g. --mutant
# NAME, --device scsi, --keep.
MUTANTS_ARGS ?=
mutants: all
	ci/mutants --build $(O) $(if $(filter 1,$(SAN)),--san) $(MUTANTS_ARGS)

# Cheap: every mutant still applies to the tree (a refactor that breaks one
# fails here, naming it).
mutants-check:
	@ci/mutants --check

check: deps
	$(MAKE) mutants-check
	$(MAKE) all
	$(MAKE) SAN=1 all
	$(MAKE) SAN=1 run-unit
	$(MAKE) fuzz-short
	$(MAKE) SAN=1 system

demo: deps
	$(MAKE) all
	$(O)/bin/storlab scenario run scenarios/demo.yaml

bench: deps
	$(MAKE) all
	ci/nightly --bench --no-build --build $(O) $(if $(BASE),--base $(BASE))

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
