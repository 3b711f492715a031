# SPDX-License-Identifier: MIT
#
# pekexec - kexec for UKIs and EFI zboot images, with their signatures kept.
#
#   make            library (static and shared) + tool (build/pekexec);
#                   never installs packages
#   make check      every test: unit tests under ASan+UBSan, script tests,
#                   a short run of each fuzz target
#   make install    PREFIX=/usr/local DESTDIR= ... (mk/install.mk)
#   make deb-check  the Debian packages: build twice, cmp, lintian, a test
#   make demo       the main job on a built-in default
#   make bench      the benchmark table (BENCH="interp load-host": only
#                   those parts; peers built from source: docs/bench.md)
#   make fuzz       each fuzz target for FUZZ_SECONDS (default 60), then
#                   the long 6.1 differential in the VM (mk/kernel.mk)
#
# Packages are installed by scripts/deps.sh (as root) or named for you;
# plain `make` only checks them (scripts/deps.sh require build).

BUILD     ?= build
CC        ?= cc
CLANG     ?= clang
V         ?= 0
Q         := $(if $(filter 1,$(V)),,@)

PKGS      := openssl zlib libzstd liblzma liblz4 lzo2 libelf libbpf libdeflate
WARN      := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
             -Wmissing-prototypes -Wno-missing-field-initializers
BASE_CFLAGS := -std=c11 -D_GNU_SOURCE -Iinclude -Ilib -Ilib/common $(WARN) -g
CFLAGS    ?= -O2
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lbz2
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
             -fno-omit-frame-pointer
FUZZ_FLAGS := -fsanitize=fuzzer-no-link,address,undefined \
              -fno-sanitize-recover=all -fno-omit-frame-pointer -O1
FUZZ_SECONDS ?= 60
CHECK_FUZZ_SECONDS ?= 10

# Every object depends on the flags it was compiled with: the end of this
# file rewrites $(FLAGS_STAMP) when they change (a new flag in a .mk file,
# CFLAGS=...), so no object built with old flags is linked with new ones.
FLAGS_STAMP := $(BUILD)/.flags

# The pipeline shows in the layout: lib/common (shared), lib/image (PE and
# zboot readers), lib/verify (Authenticode), lib/decompress, lib/bpf (the
# sandbox: lib/bpf/load parses untrusted containers, lib/bpf/vm enforces
# safety), lib/stages (the stage pipeline), lib/kexec (the backend).
TEST_SRCS := $(sort $(wildcard lib/*/test-*.c lib/*/*/test-*.c tool/test-*.c))
FUZZ_SRCS := $(sort $(wildcard lib/*/fuzz-*.c lib/*/*/fuzz-*.c tool/fuzz-*.c))
LIB_SRCS  := $(sort $(filter-out $(TEST_SRCS) $(FUZZ_SRCS), \
                     $(wildcard lib/*/*.c lib/*/*/*.c)))
TOOL_SRCS := $(sort $(filter-out $(TEST_SRCS) $(FUZZ_SRCS), $(wildcard tool/*.c)))
TESTLIB_SRCS := $(sort $(wildcard tests/lib/*.c))

LIB_OBJS  := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
TOOL_OBJS := $(TOOL_SRCS:%.c=$(BUILD)/obj/%.o)
ASAN_LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/asan/%.o)
ASAN_TESTLIB_OBJS := $(TESTLIB_SRCS:%.c=$(BUILD)/asan/%.o)
FUZZ_LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/fuzzobj/%.o)
TEST_BINS := $(patsubst %.c,$(BUILD)/tests/%,$(notdir $(TEST_SRCS)))
FUZZ_BINS := $(patsubst %.c,$(BUILD)/fuzz/%,$(notdir $(FUZZ_SRCS)))

# Extra makefile fragments (BPF programs, kernel, VM tests) live in mk/.
-include $(sort $(wildcard mk/*.mk))

.PHONY: all deps check unit-tests script-tests fuzz-check fuzz bench demo clean \
        images conformance
.DEFAULT_GOAL := all

all: deps $(BUILD)/pekexec $(BUILD)/libpekexec.a $(ALL_EXTRA)

deps:
	$(Q)scripts/deps.sh require build

$(BUILD)/libpekexec.a: $(LIB_OBJS)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

$(BUILD)/pekexec: $(TOOL_OBJS) $(BUILD)/libpekexec.a
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(TOOL_OBJS) $(BUILD)/libpekexec.a $(PKG_LIBS)

$(BUILD)/obj/%.o: %.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(BASE_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(PKG_CFLAGS) -MMD -MP -c -o $@ $<

# Unit tests and the tool used by script tests are built with ASan+UBSan.
$(BUILD)/asan/%.o: %.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC-SAN  $<"
	$(Q)$(CC) $(BASE_CFLAGS) -O1 $(SAN_FLAGS) $(PKG_CFLAGS) -Itests/lib -MMD -MP -c -o $@ $<

$(BUILD)/asan/libpekexec.a: $(ASAN_LIB_OBJS)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

$(BUILD)/asan/pekexec: $(TOOL_SRCS:%.c=$(BUILD)/asan/%.o) $(BUILD)/asan/libpekexec.a
	@echo "  LD-SAN  $@"
	$(Q)$(CC) $(SAN_FLAGS) -o $@ $(filter %.o,$^) $(BUILD)/asan/libpekexec.a $(PKG_LIBS)

define test_rule
$(BUILD)/tests/$(basename $(notdir $(1))): $(BUILD)/asan/$(basename $(1)).o $(ASAN_TESTLIB_OBJS) $(BUILD)/asan/libpekexec.a
	@mkdir -p $$(dir $$@)
	@echo "  LD-SAN  $$@"
	$(Q)$(CC) $(SAN_FLAGS) -o $$@ $$(filter %.o,$$^) $(BUILD)/asan/libpekexec.a $(PKG_LIBS)
endef
$(foreach t,$(TEST_SRCS),$(eval $(call test_rule,$(t))))
# The tool's objects are not in libpekexec: a unit test of one links it.
$(BUILD)/tests/test-json: $(BUILD)/asan/tool/json.o
$(BUILD)/tests/test-load-args: $(BUILD)/asan/tool/load-args.o $(BUILD)/asan/tool/pipeline-args.o

# Fuzz targets: clang + libFuzzer, library rebuilt with coverage.
$(BUILD)/fuzzobj/%.o: %.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC-FUZZ $<"
	$(Q)$(CLANG) $(BASE_CFLAGS) $(FUZZ_FLAGS) $(PKG_CFLAGS) -Itests/lib -MMD -MP -c -o $@ $<

define fuzz_rule
$(BUILD)/fuzz/$(basename $(notdir $(1))): $(BUILD)/fuzzobj/$(basename $(1)).o $(FUZZ_LIB_OBJS)
	@mkdir -p $$(dir $$@)
	@echo "  LD-FUZZ $$@"
	$(Q)$(CLANG) -fsanitize=fuzzer,address,undefined -o $$@ $$^ $(PKG_LIBS)
endef
$(foreach t,$(FUZZ_SRCS),$(eval $(call fuzz_rule,$(t))))
# A fuzz target of the tool links the tool objects it tests.
$(BUILD)/fuzz/fuzz-entries: $(BUILD)/fuzzobj/tool/boot-entries.o $(BUILD)/fuzzobj/tool/esp-detect.o

images:
	$(Q)scripts/deps.sh ensure test
	$(Q)scripts/fetch-images.sh $(BUILD)/images

check:
	$(Q)scripts/deps.sh ensure build fuzz test qemu deb
	$(Q)$(MAKE) --no-print-directory images
	$(Q)$(MAKE) --no-print-directory $(BUILD)/pekexec $(BUILD)/asan/pekexec \
		$(TEST_BINS) $(FUZZ_BINS) $(CHECK_EXTRA)
	$(Q)BUILD=$(BUILD) FUZZ_SECONDS=$(CHECK_FUZZ_SECONDS) tests/run-tests.sh

fuzz:
	$(Q)scripts/deps.sh ensure build fuzz
	$(Q)$(MAKE) --no-print-directory $(FUZZ_BINS)
	$(Q)BUILD=$(BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) tests/run-tests.sh --only-fuzz
	$(Q)$(MAKE) --no-print-directory fuzz-diff61

bench:
	$(Q)scripts/deps.sh ensure build test qemu bench
	$(Q)$(MAKE) --no-print-directory images $(BUILD)/pekexec $(BENCH_EXTRA)
	$(Q)BUILD=$(BUILD) bench/run-bench.sh $(BENCH)

demo:
	$(Q)scripts/deps.sh ensure build test qemu
	$(Q)$(MAKE) --no-print-directory images $(BUILD)/pekexec $(DEMO_EXTRA)
	$(Q)BUILD=$(BUILD) scripts/demo.sh

clean:
	rm -rf $(BUILD)

# $(BUILD)/kernel and $(BUILD)/arm64-zboot hold Linux trees (kernel.mk,
# arm64.mk): not ours to scan
-include $(shell find $(BUILD) -path '$(BUILD)/kernel' -prune -o -path '$(BUILD)/arm64-zboot' -prune -o -name '*.d' -type f -print 2>/dev/null)

# The compile flags of this run (see FLAGS_STAMP above); the stamp is only
# rewritten, and objects only rebuilt, when they differ from the last run's.
# (the build directory by one name: tests call make with BUILD absolute)
FLAGS_RAW = $(CC) $(CLANG) $(BASE_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(PKG_CFLAGS) \
	    $(SAN_FLAGS) $(FUZZ_FLAGS) $(PARSER_CFLAGS) $(BPF_CFLAGS)
FLAGS_NOW = $(subst $(BUILD)/,@BUILD@/,$(subst $(abspath $(BUILD))/,@BUILD@/,$(FLAGS_RAW)))
ifneq ($(strip $(file <$(FLAGS_STAMP))),$(strip $(FLAGS_NOW)))
$(shell mkdir -p $(BUILD))
$(file >$(FLAGS_STAMP),$(FLAGS_NOW))
endif
$(FLAGS_STAMP): ;
