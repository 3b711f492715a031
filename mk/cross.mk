# SPDX-License-Identifier: MIT
#
# cross.mk - pekexec for arm64, cross-compiled (docs/e2e.md):
#
#   make $(BUILD)/arm64/pekexec   a static aarch64 binary of the tool
#                                 (aarch64-linux-gnu-gcc, Debian's arm64
#                                 -dev packages: scripts/deps.sh ensure arm64,
#                                 run first)
#   make check                    builds it too, for tests/t-e2e-arm64.sh
#
# Static, so that a guest initramfs needs the one file.  The parser
# programs are not rebuilt: the BPF bytecode is the same on every
# architecture, so the host build's $(BUILD)/gen/parsers-data.c is compiled
# for arm64 as is.  CROSS picks another prefix.

CROSS            ?= aarch64-linux-gnu-
CROSS_CC         := $(CROSS)gcc
CROSS_MULTIARCH  := $(patsubst %-,%,$(CROSS))
CROSS_PKGCONFIG  := PKG_CONFIG_LIBDIR=/usr/lib/$(CROSS_MULTIARCH)/pkgconfig:/usr/share/pkgconfig pkg-config
CROSS_PKG_CFLAGS  = $(shell $(CROSS_PKGCONFIG) --cflags $(PKGS) 2>/dev/null)
CROSS_PKG_LIBS    = $(shell $(CROSS_PKGCONFIG) --static --libs $(PKGS) 2>/dev/null) -lbz2

CROSS_DIR       := $(BUILD)/arm64
CROSS_LIB_OBJS  := $(LIB_SRCS:%.c=$(CROSS_DIR)/obj/%.o) $(CROSS_DIR)/obj/gen/parsers-data.o
CROSS_TOOL_OBJS := $(TOOL_SRCS:%.c=$(CROSS_DIR)/obj/%.o)

$(CROSS_DIR)/obj/%.o: %.c $(FLAGS_STAMP) | cross-deps
	@mkdir -p $(dir $@)
	@echo "  CC-A64  $<"
	$(Q)$(CROSS_CC) $(BASE_CFLAGS) $(CFLAGS) $(CROSS_PKG_CFLAGS) -MMD -MP -c -o $@ $<

$(CROSS_DIR)/obj/gen/parsers-data.o: $(BUILD)/gen/parsers-data.c lib/stages/parsers.h $(FLAGS_STAMP) | cross-deps
	@mkdir -p $(dir $@)
	@echo "  CC-A64  $<"
	$(Q)$(CROSS_CC) $(BASE_CFLAGS) $(CFLAGS) -c -o $@ $<

$(CROSS_DIR)/libpekexec.a: $(CROSS_LIB_OBJS)
	$(Q)rm -f $@
	$(Q)$(CROSS)ar rcs $@ $^

# The linker warns that dlopen, getaddrinfo and gethostbyname in a static
# binary want the build's glibc at run time: only OpenSSL's DSO and BIO
# socket code has them, which the tool never reaches.
$(CROSS_DIR)/pekexec: $(CROSS_TOOL_OBJS) $(CROSS_DIR)/libpekexec.a
	@echo "  LD-A64  $@"
	$(Q)$(CROSS_CC) $(CFLAGS) -static -o $@ $(CROSS_TOOL_OBJS) $(CROSS_DIR)/libpekexec.a \
		$(CROSS_PKG_LIBS)

cross-deps:
	$(Q)scripts/deps.sh ensure arm64

CHECK_EXTRA += $(CROSS_DIR)/pekexec

.PHONY: cross-deps
