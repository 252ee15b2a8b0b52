# Makefile - builds libcodeidx (static + shared), the codeidx CLI, examples and tests.
#   make                  library, CLI and examples
#   make check            every test (unit, integration, oracle)
#   make check SANITIZE=address,undefined   the same under sanitizers
#   make demo             build, index this repository with live progress, search it
#   make install PREFIX=/usr/local DESTDIR=
PREFIX ?= /usr/local
DESTDIR ?=
CC ?= cc
SANITIZE ?=
VERSION := 0.1.0
SOVERSION := 0

comma := ,
BUILD := build$(if $(SANITIZE),-$(subst $(comma),-,$(SANITIZE)))

# pkg-config modules libcodeidx links (cJSON belongs to the daemon library alone)
DEPS_PC := libpcre2-8 libxxhash libbsd
OPT ?= -O2
CFLAGS ?= $(OPT) -g
CX_CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wno-unused-parameter \
	-fPIC -pthread -Iinclude -Ilib
ifneq ($(SANITIZE),)
CX_CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDSAN := -fsanitize=$(SANITIZE)
endif
LIBS := -pthread -lpcre2-8 -lxxhash -lbsd

LIB_SRCS := $(sort $(shell find lib -name '*.c' ! -path 'lib/daemon/*'))
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
CLI_SRCS := $(sort $(wildcard cli/*.c))
CLI_OBJS := $(CLI_SRCS:%.c=$(BUILD)/%.o)
EXAMPLES := $(patsubst examples/%.c,$(BUILD)/examples/%,$(wildcard examples/*.c))
UNIT_SRCS := $(sort $(wildcard test/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:test/unit/%.c=$(BUILD)/test/%)
TEST_HELPERS := $(sort $(wildcard test/unit/helpers/*.c))

STATIC := $(BUILD)/libcodeidx.a
SHARED := $(BUILD)/libcodeidx.so.$(VERSION)
CLI := $(BUILD)/codeidx

.PHONY: all deps check unit integration demo install uninstall clean bench format
all: $(BUILD)/.deps-ok $(STATIC) $(SHARED) $(CLI) $(EXAMPLES)

$(BUILD)/.deps-ok: scripts/install-deps.sh
	@scripts/install-deps.sh build
	@mkdir -p $(BUILD) && touch $@

$(BUILD)/lib/%.o: lib/%.c $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(CC) $(CX_CFLAGS) $(CFLAGS) -fvisibility=hidden -DCODEIDX_BUILDING -MMD -MP -c $< -o $@

$(BUILD)/cli/%.o: cli/%.c $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(CC) $(CX_CFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(STATIC): $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(SHARED): $(LIB_OBJS)
	$(CC) -shared -Wl,-soname,libcodeidx.so.$(SOVERSION) $(LDSAN) -o $@ $^ $(LIBS)
	ln -sf libcodeidx.so.$(VERSION) $(BUILD)/libcodeidx.so.$(SOVERSION)
	ln -sf libcodeidx.so.$(SOVERSION) $(BUILD)/libcodeidx.so

# The CLI links the daemon library too (defined below; this recipe expands late).
$(CLI): $(CLI_OBJS) $(STATIC)
	$(CC) $(LDSAN) -o $@ $(CLI_OBJS) $(DAEMON_STATIC) $(STATIC) $(LIBS) $(DAEMON_LIBS)

$(BUILD)/examples/%: examples/%.c $(STATIC)
	@mkdir -p $(dir $@)
	$(CC) $(CX_CFLAGS) $(CFLAGS) $(LDSAN) -o $@ $< $(STATIC) $(LIBS)

$(BUILD)/test/test_%: test/unit/test_%.c $(TEST_HELPERS) $(STATIC)
	@mkdir -p $(dir $@)
	$(CC) $(CX_CFLAGS) $(CFLAGS) $(LDSAN) -Itest/unit -o $@ $< $(TEST_HELPERS) $(STATIC) $(LIBS) -lcmocka

unit: all $(UNIT_BINS)
	@scripts/install-deps.sh test
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; \
		CODEIDX_TEST_TMP=$${TMPDIR:-/tmp} $$t; done

integration: all
	@scripts/install-deps.sh test
	@set -e; for t in $(sort $(wildcard test/integration/*.sh)); do echo "== $$t"; \
		BUILD=$(BUILD) SANITIZE=$(SANITIZE) bash $$t; done

check: unit integration
	@echo "make check: all tests passed ($(BUILD))"

demo: all
	@scripts/demo.sh $(CLI)

bench: all
	@scripts/install-deps.sh bench
	@bash bench/index_bench.sh $(CLI)

install: all
	install -d $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/bin
	install -m 644 include/codeidx.h $(DESTDIR)$(PREFIX)/include/
	install -m 644 $(STATIC) $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(SHARED) $(DESTDIR)$(PREFIX)/lib/
	ln -sf libcodeidx.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libcodeidx.so.$(SOVERSION)
	ln -sf libcodeidx.so.$(SOVERSION) $(DESTDIR)$(PREFIX)/lib/libcodeidx.so
	install -m 755 $(CLI) $(DESTDIR)$(PREFIX)/bin/
	install -d $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 644 docs/codeidx.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' \
		-e 's|@REQUIRES@|$(DEPS_PC)|g' pkgconfig/codeidx.pc.in \
		> $(DESTDIR)$(PREFIX)/lib/pkgconfig/codeidx.pc

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/include/codeidx.h $(DESTDIR)$(PREFIX)/lib/libcodeidx.a \
		$(DESTDIR)$(PREFIX)/lib/libcodeidx.so $(DESTDIR)$(PREFIX)/lib/libcodeidx.so.$(SOVERSION) \
		$(DESTDIR)$(PREFIX)/lib/libcodeidx.so.$(VERSION) $(DESTDIR)$(PREFIX)/bin/codeidx \
		$(DESTDIR)$(PREFIX)/lib/pkgconfig/codeidx.pc $(DESTDIR)$(PREFIX)/share/man/man1/codeidx.1

clean:
	rm -rf build build-*

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# ---- daemon transport (include/codeidx_daemon.h, lib/daemon/): its own library over the
# core's public API, plus cJSON. The core library neither links nor knows it.
DAEMON_SRCS := $(sort $(wildcard lib/daemon/*.c))
DAEMON_OBJS := $(DAEMON_SRCS:%.c=$(BUILD)/%.o)
DAEMON_STATIC := $(BUILD)/libcodeidx_daemon.a
DAEMON_SHARED := $(BUILD)/libcodeidx_daemon.so.$(VERSION)
DAEMON_CFLAGS := $(shell pkg-config --cflags libcjson 2>/dev/null)
DAEMON_LIBS := $(or $(shell pkg-config --libs libcjson 2>/dev/null),-lcjson)

all: $(DAEMON_STATIC) $(DAEMON_SHARED)
$(CLI): $(DAEMON_STATIC)

$(BUILD)/lib/daemon/%.o: lib/daemon/%.c $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(CC) $(CX_CFLAGS) $(CFLAGS) $(DAEMON_CFLAGS) -fvisibility=hidden \
		-DCODEIDX_DAEMON_BUILDING -MMD -MP -c $< -o $@

$(DAEMON_STATIC): $(DAEMON_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(DAEMON_SHARED): $(DAEMON_OBJS) $(SHARED)
	$(CC) -shared -Wl,-soname,libcodeidx_daemon.so.$(SOVERSION) $(LDSAN) -o $@ $(DAEMON_OBJS) \
		-L$(BUILD) -lcodeidx $(DAEMON_LIBS) -pthread
	ln -sf libcodeidx_daemon.so.$(VERSION) $(BUILD)/libcodeidx_daemon.so.$(SOVERSION)
	ln -sf libcodeidx_daemon.so.$(SOVERSION) $(BUILD)/libcodeidx_daemon.so

# Unit tests of the daemon link it too (a more specific pattern than test_%).
$(BUILD)/test/test_daemon%: test/unit/test_daemon%.c $(TEST_HELPERS) $(DAEMON_STATIC) $(STATIC)
	@mkdir -p $(dir $@)
	$(CC) $(CX_CFLAGS) $(CFLAGS) $(DAEMON_CFLAGS) $(LDSAN) -Itest/unit -o $@ $< $(TEST_HELPERS) \
		$(DAEMON_STATIC) $(STATIC) $(LIBS) $(DAEMON_LIBS) -lcmocka

# Examples of the daemon (examples/daemon_*.c) link it too.
$(BUILD)/examples/daemon_%: examples/daemon_%.c $(DAEMON_STATIC) $(STATIC)
	@mkdir -p $(dir $@)
	$(CC) $(CX_CFLAGS) $(CFLAGS) $(DAEMON_CFLAGS) $(LDSAN) -o $@ $< $(DAEMON_STATIC) $(STATIC) \
		$(LIBS) $(DAEMON_LIBS)

.PHONY: install-daemon uninstall-daemon bench-daemon
install: install-daemon
install-daemon: all
	install -d $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 644 include/codeidx_daemon.h $(DESTDIR)$(PREFIX)/include/
	install -m 644 $(DAEMON_STATIC) $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(DAEMON_SHARED) $(DESTDIR)$(PREFIX)/lib/
	ln -sf libcodeidx_daemon.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libcodeidx_daemon.so.$(SOVERSION)
	ln -sf libcodeidx_daemon.so.$(SOVERSION) $(DESTDIR)$(PREFIX)/lib/libcodeidx_daemon.so
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' \
		pkgconfig/codeidx_daemon.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/codeidx_daemon.pc

uninstall: uninstall-daemon
uninstall-daemon:
	rm -f $(DESTDIR)$(PREFIX)/include/codeidx_daemon.h \
		$(DESTDIR)$(PREFIX)/lib/libcodeidx_daemon.a \
		$(DESTDIR)$(PREFIX)/lib/libcodeidx_daemon.so \
		$(DESTDIR)$(PREFIX)/lib/libcodeidx_daemon.so.$(SOVERSION) \
		$(DESTDIR)$(PREFIX)/lib/libcodeidx_daemon.so.$(VERSION) \
		$(DESTDIR)$(PREFIX)/lib/pkgconfig/codeidx_daemon.pc

bench-daemon: all
	@bash bench/daemon_bench.sh $(BUILD)

# ---- reliability (docs/reliability.md): fuzzing and valgrind.
FUZZ_SECONDS ?= 30
.PHONY: fuzz valgrind
# Builds every libFuzzer target (clang) and runs each FUZZ_SECONDS over its corpus.
fuzz:
	@FUZZ_SECONDS=$(FUZZ_SECONDS) bash scripts/fuzz.sh

# The unit tests under valgrind memcheck, in a build without sanitizers: any invalid
# access or leak fails. Only PCRE2's JIT code is suppressed (scripts/valgrind.supp).
VALGRIND := valgrind -q --error-exitcode=99 --leak-check=full \
	--errors-for-leak-kinds=definite,indirect,possible --suppressions=scripts/valgrind.supp
valgrind: all $(UNIT_BINS)
	@if [ -n "$(SANITIZE)" ]; then echo "make valgrind: use a build without SANITIZE" >&2; exit 2; fi
	@scripts/install-deps.sh test
	@command -v valgrind >/dev/null || scripts/install-deps.sh valgrind
	@set -e; for t in $(UNIT_BINS); do echo "== valgrind $$t"; \
		CODEIDX_TEST_TMP=$${TMPDIR:-/tmp} $(VALGRIND) $$t >$$t.valgrind.log 2>&1 || \
		{ cat $$t.valgrind.log; exit 1; }; tail -n 1 $$t.valgrind.log; done
	@echo "make valgrind: no errors, no leaks ($(words $(UNIT_BINS)) unit test programs)"
