# dhcpfod — hand-written GNU Makefile.
#   make            build build/dhcpfod and build/dhcpfoctl
#   make check      the layout lint, unit tests (Check) and integration tests;
#                   installs missing deps first
#   make lint       the layout rules alone (scripts/check-layout)
#   make asan       the whole check suite under AddressSanitizer + UBSan (build/asan/)
#   make fuzz       libFuzzer harnesses for every parser of outside input (clang),
#                   and the dhcpd.conf importer's (Python): each for FUZZ_SECONDS
#                   (default 20) or, given FUZZ_EXECS=N, for N executions;
#                   FUZZ_HARNESS=fuzz_rpc runs one (docs/FUZZING.md)
#   make install    PREFIX=/usr/local DESTDIR= (see the layout above install:)
#   make uninstall  the same variables; keeps the configuration
#   make clean

PREFIX   ?= /usr/local
DESTDIR  ?=
BUILD    ?= build
CC       ?= cc
SAN      ?=
VERSION  := 0.1.0
.DEFAULT_GOAL := all

PKGS       := libevent libevent_openssl jansson inih sqlite3 libssl libcrypto libcap
WARN       := -Wall -Wextra -Wformat=2 -Wwrite-strings -Wshadow -Wstrict-prototypes \
              -Wmissing-prototypes -Wpointer-arith -Wno-unused-parameter -Werror
OPT        ?= -O2 -g
ifneq ($(SAN),)
OPT        := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
              -fno-sanitize-recover=undefined
endif

# Every target but clean needs the libraries: install what is missing, then remember
# their flags (GNU make remakes included makefiles first and restarts).
ifeq ($(filter clean,$(MAKECMDGOALS)),)
-include $(BUILD)/config.mk
endif

$(BUILD)/config.mk: scripts/install-deps Makefile
	@mkdir -p $(BUILD)
	@scripts/install-deps --check --build >/dev/null || scripts/install-deps --build
	@{ echo "PKG_CFLAGS := $$(pkg-config --cflags $(PKGS))"; \
	   echo "PKG_LIBS := $$(pkg-config --libs $(PKGS))"; \
	   echo "CHECK_LIBS := $$(pkg-config --libs check)"; } > $@

# The project's flags; CFLAGS, CPPFLAGS and LDFLAGS given on the command line
# (make CFLAGS=-O0) come last and add to them. Only include/ is on the path:
# a subsystem's private headers, in its folder, are found by its own files.
SUBSYS  := common daemon store dhcp failover ctl dhcpfoctl
WWWDIR  ?= $(PREFIX)/share/dhcpfod/www
ALL_CFLAGS  = -std=c11 -D_GNU_SOURCE -DDHCPFOD_VERSION='"$(VERSION)"' -Iinclude \
              -DDHCPFOD_WWWDIR='"$(WWWDIR)"' \
              $(WARN) $(OPT) $(PKG_CFLAGS) -MMD -MP $(CPPFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(OPT) $(LDFLAGS)
LDLIBS  := $(PKG_LIBS) -lm -pthread

# One folder per subsystem (docs/ARCHITECTURE.md). Everything in src/ but the
# daemon's main and the client forms one library that the daemon, the client
# and every unit test link.
MAIN_SRCS   := src/daemon/dhcpfod.c
CLIENT_SRCS := $(wildcard src/dhcpfoctl/*.c)
LIB_SRCS    := $(filter-out $(MAIN_SRCS) $(CLIENT_SRCS),$(wildcard src/*/*.c))
LIB_OBJS    := $(LIB_SRCS:src/%.c=$(BUILD)/obj/%.o)
CLIENT_OBJS := $(CLIENT_SRCS:src/%.c=$(BUILD)/obj/%.o)
UNIT_SRCS   := $(wildcard tests/unit/check_*.c)
UNIT_BINS   := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
INTEG       := $(sort $(wildcard tests/integration/t_*.sh))
FUZZ_SRCS   := $(wildcard tests/fuzz/fuzz_*.c)

.PHONY: all check lint unit integration asan fuzz install uninstall clean
all: $(BUILD)/dhcpfod $(BUILD)/dhcpfoctl

$(BUILD)/obj/%.o: src/%.c | $(BUILD)/config.mk
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/libdhcpfod.a: $(LIB_OBJS)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/dhcpfod: $(BUILD)/obj/daemon/dhcpfod.o $(BUILD)/libdhcpfod.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/dhcpfoctl: $(CLIENT_OBJS) $(BUILD)/libdhcpfod.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

# Unit tests are white-box: they may include a subsystem's private headers.
# A test of the decision core links the library's real module and replaces
# what does I/O by defining those functions itself (the archive's member is
# then never pulled in); the ones in FAKE_CLOCK_TESTS run on the clock of
# tests/unit/fake_clock.h: util.c's clock functions are wrapped at link time,
# so every module they link reads the test's time.
FAKE_CLOCK_TESTS := check_dhcp_srv check_dhcp_pool check_fo_upd check_fo_peer \
                    check_fo check_dhcp_commit check_dhcp_limit
$(FAKE_CLOCK_TESTS:%=$(BUILD)/tests/%): UNIT_LDFLAGS := -Wl,--wrap=time_wall \
	-Wl,--wrap=time_mono -Wl,--wrap=time_mono_ms -Wl,--wrap=time_mono_us
$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libdhcpfod.a | $(BUILD)/config.mk
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(addprefix -Isrc/,$(SUBSYS)) -Itests/unit -o $@ $< \
		$(UNIT_LDFLAGS) $(BUILD)/libdhcpfod.a $(LDLIBS) $(CHECK_LIBS)

# The fault-injection shim of the storage tests (LD_PRELOAD into the daemon
# under test; never installed), built without the sanitizers.
SHIM        := $(BUILD)/tests/faultfs.so
$(SHIM): tests/shim/faultfs.c | $(BUILD)/config.mk
	@mkdir -p $(@D)
	$(CC) -std=c11 -D_GNU_SOURCE $(WARN) -O2 -fPIC -shared -o $@ $< -ldl

check: lint all $(UNIT_BINS) $(SHIM)
	@scripts/install-deps --check >/dev/null || scripts/install-deps
	@$(MAKE) --no-print-directory unit integration

# Private headers stay in their subsystem, only src/store/ includes sqlite3.h
# (docs/ARCHITECTURE.md, Layout).
lint:
	@scripts/check-layout

# Check prints its own summary per binary; the last line counts the binaries.
unit: $(UNIT_BINS)
	@pass=0; fail=0; \
	for t in $(UNIT_BINS); do \
		if CK_DEFAULT_TIMEOUT=60 $$t; then pass=$$((pass+1)); \
		else fail=$$((fail+1)); echo "FAILED: $$t"; fi; \
	done; \
	echo "unit: $$pass passed, $$fail failed"; [ $$fail -eq 0 ]

# INTEG_JOBS tests at a time (default 2: they mostly wait on protocol timers)
integration: all $(SHIM)
	@BUILD=$(BUILD) tests/integration/run $(INTEG)

# (DHCPFOD_SAN tells the load steps of the tests that the daemon runs 2-3x slower)
asan:
	@DHCPFOD_SAN=1 $(MAKE) --no-print-directory BUILD=build/asan SAN=1 check

# libFuzzer: one binary per harness, each run on its seed corpus for
# FUZZ_SECONDS, or for FUZZ_EXECS executions when that is given (libFuzzer's
# -runs; the initial corpus counts). The library is compiled once with the
# fuzzer's instrumentation ($(BUILD)/fuzz/libdhcpfod.a) and every harness
# links it. FUZZ_HARNESS names the ones to run (default: all, one after the
# other: never two fuzzers at once). Each log ends with libFuzzer's final
# stats (stat::number_of_executed_units); docs/FUZZING.md has the totals.
FUZZ_SECONDS ?= 20
FUZZ_EXECS  ?=
FUZZ_DIR    := $(BUILD)/fuzz
FUZZ_SAN    := address,undefined
FUZZ_CFLAGS  = -std=c11 -D_GNU_SOURCE -DDHCPFOD_VERSION='"$(VERSION)"' -Iinclude \
               -g -O1 $(PKG_CFLAGS) -MMD -MP
FUZZ_OBJS   := $(LIB_SRCS:src/%.c=$(FUZZ_DIR)/obj/%.o)
FUZZ_BINS   := $(FUZZ_SRCS:tests/fuzz/%.c=$(FUZZ_DIR)/%)
FUZZ_PY     := fuzz_dhcpd_import
FUZZ_HARNESS ?= $(notdir $(FUZZ_BINS)) $(FUZZ_PY)
FUZZ_BOUND   = $(if $(FUZZ_EXECS),-runs=$(FUZZ_EXECS),-max_total_time=$(FUZZ_SECONDS))
FUZZ_WHAT    = $(if $(FUZZ_EXECS),$(FUZZ_EXECS) executions,$(FUZZ_SECONDS)s)
# The stateful failover harness runs fo_peer.c on the test's clock, as the
# unit tests in FAKE_CLOCK_TESTS do, and formats every log line (debug too)
# without writing it.
comma       := ,
FUZZ_WRAP   := -Wl,--wrap=time_wall -Wl,--wrap=time_mono -Wl,--wrap=time_mono_ms \
               -Wl,--wrap=time_mono_us $(patsubst %,-Wl$(comma)--wrap=log_%,warn \
               warnx notice info debug)
$(FUZZ_DIR)/fuzz_fo_peer: FUZZ_LDFLAGS := $(FUZZ_WRAP)

# the fuzzers need clang (a test package, not a build one)
$(FUZZ_DIR)/deps.stamp: scripts/install-deps
	@mkdir -p $(@D)
	@scripts/install-deps --check >/dev/null || scripts/install-deps
	@touch $@

$(FUZZ_DIR)/obj/%.o: src/%.c | $(BUILD)/config.mk $(FUZZ_DIR)/deps.stamp
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,$(FUZZ_SAN) -c -o $@ $<

$(FUZZ_DIR)/libdhcpfod.a: $(FUZZ_OBJS)
	rm -f $@
	ar rcs $@ $^

# Harnesses are white-box: every subsystem's private headers are in reach.
$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_DIR)/libdhcpfod.a | $(BUILD)/config.mk $(FUZZ_DIR)/deps.stamp
	clang $(FUZZ_CFLAGS) $(addprefix -Isrc/,$(SUBSYS)) -Itests/unit \
		-fsanitize=fuzzer,$(FUZZ_SAN) -o $@ $< $(FUZZ_LDFLAGS) \
		$(FUZZ_DIR)/libdhcpfod.a $(LDLIBS)

# One harness: libFuzzer's, or the importer's Python driver (the same bound
# and corpus layout: new finds in $(FUZZ_DIR)/corpus-NAME, the kept corpus
# in tests/fuzz/corpus/NAME).
fuzz: $(FUZZ_BINS)
	@set -e; for n in $(FUZZ_HARNESS); do \
		mkdir -p $(FUZZ_DIR)/corpus-$$n; \
		echo "== $$n ($(FUZZ_WHAT))"; \
		if [ $$n = $(FUZZ_PY) ]; then \
			set -- python3 tests/fuzz/$$n.py \
				$(if $(FUZZ_EXECS),--runs=$(FUZZ_EXECS),--seconds=$(FUZZ_SECONDS)) \
				--artifact-prefix=$(FUZZ_DIR)/; \
		else \
			set -- $(FUZZ_DIR)/$$n $(FUZZ_BOUND) -print_final_stats=1 \
				-max_len=1200000 -artifact_prefix=$(FUZZ_DIR)/; \
		fi; \
		if ! "$$@" $(FUZZ_DIR)/corpus-$$n tests/fuzz/corpus/$$n \
			> $(FUZZ_DIR)/$$n.log 2>&1; then \
			tail -n 40 $(FUZZ_DIR)/$$n.log; echo "FUZZ FAILED: $$n"; exit 1; \
		fi; \
		grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb)' \
			$(FUZZ_DIR)/$$n.log || tail -n 2 $(FUZZ_DIR)/$$n.log; \
	done

# Installed layout: every directory below follows PREFIX (systemd, sysusers,
# tmpfiles and bash-completion all search /usr/local as well as /usr), but for
# the configuration, which is always SYSCONFDIR/dhcpfod. The unit's
# /usr/sbin and /etc become SBINDIR and SYSCONFDIR. An existing
# dhcpfod.conf is never overwritten; the example installed is the unit's:
# control-socket-group = dhcpfod (the service user's group).
SBINDIR     ?= $(PREFIX)/sbin
MANDIR      ?= $(PREFIX)/share/man
UNITDIR     ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
SYSCONFDIR  ?= /etc
INSTALL_DIRS := $(SBINDIR) $(MANDIR)/man5 $(MANDIR)/man8 $(UNITDIR) $(SYSUSERSDIR) \
                $(TMPFILESDIR) $(BASHCOMPDIR) $(SYSCONFDIR)/dhcpfod $(WWWDIR)

install: all
	install -d $(addprefix $(DESTDIR),$(INSTALL_DIRS))
	install -m 0755 $(BUILD)/dhcpfod $(BUILD)/dhcpfoctl $(DESTDIR)$(SBINDIR)/
	sed -e 's|/usr/sbin/|$(SBINDIR)/|g' -e 's|/etc/dhcpfod/|$(SYSCONFDIR)/dhcpfod/|g' \
		conf/dhcpfod.service > $(DESTDIR)$(UNITDIR)/dhcpfod.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/dhcpfod.service
	install -m 0644 conf/dhcpfod.sysusers $(DESTDIR)$(SYSUSERSDIR)/dhcpfod.conf
	install -m 0644 conf/dhcpfod.tmpfiles $(DESTDIR)$(TMPFILESDIR)/dhcpfod.conf
	install -m 0644 docs/dhcpfod.8 docs/dhcpfoctl.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 docs/dhcpfod.conf.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 conf/dhcpfoctl.bash-completion $(DESTDIR)$(BASHCOMPDIR)/dhcpfoctl
	install -m 0644 www/index.html www/dashboard.css www/dashboard.js www/favicon.svg \
		$(DESTDIR)$(WWWDIR)/
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/dhcpfod/dhcpfod.conf ]; then \
		echo "kept $(DESTDIR)$(SYSCONFDIR)/dhcpfod/dhcpfod.conf"; \
	else \
		sed -e 's/^control-socket-group = root   ;/control-socket-group = dhcpfod ;/' \
			conf/dhcpfod.conf > $(DESTDIR)$(SYSCONFDIR)/dhcpfod/dhcpfod.conf && \
		chmod 0644 $(DESTDIR)$(SYSCONFDIR)/dhcpfod/dhcpfod.conf && \
		echo "installed $(DESTDIR)$(SYSCONFDIR)/dhcpfod/dhcpfod.conf"; \
	fi

# Removes what install put there, but the configuration.
uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/dhcpfod $(DESTDIR)$(SBINDIR)/dhcpfoctl \
		$(DESTDIR)$(UNITDIR)/dhcpfod.service $(DESTDIR)$(SYSUSERSDIR)/dhcpfod.conf \
		$(DESTDIR)$(TMPFILESDIR)/dhcpfod.conf $(DESTDIR)$(MANDIR)/man8/dhcpfod.8 \
		$(DESTDIR)$(MANDIR)/man8/dhcpfoctl.8 $(DESTDIR)$(MANDIR)/man5/dhcpfod.conf.5 \
		$(DESTDIR)$(BASHCOMPDIR)/dhcpfoctl
	rm -f $(addprefix $(DESTDIR)$(WWWDIR)/,index.html dashboard.css dashboard.js favicon.svg)
	-rmdir $(DESTDIR)$(WWWDIR) $(DESTDIR)$(PREFIX)/share/dhcpfod 2>/dev/null

clean:
	rm -rf build

-include $(wildcard $(BUILD)/obj/*/*.d $(BUILD)/tests/*.d $(BUILD)/fuzz/obj/*/*.d \
	$(BUILD)/fuzz/*.d)

# Lab targets (root; network namespaces only, see scripts/netns-lab.sh). They use the lab
# peers (busybox, dhclient, kea-dhcp4, perfdhcp, dhcpd, tshark) that scripts/install-deps
# installs with everything else.
#   make demo     dhcpfod hands a lease to a real client (scripts/demo.sh), then a
#                 failover pair through a rebalance and a failure (scripts/demo-failover.py)
#   make bench    perfdhcp: dhcpfod vs kea-dhcp4 vs dhcpd (scripts/bench.sh; knobs there;
#                 PNG charts in build/bench/ by scripts/bench-charts.py)
#   make bench-failover  a dhcpfod pair: rebalancing and throughput (scripts/bench-failover.py;
#                 figures and charts in build/bench-failover/)
#   make bench-scale  a million leases, many scopes, mass events, memory (scripts/bench-scale/run)
.PHONY: demo bench bench-failover bench-scale chaos
demo: all
	@scripts/install-deps --check >/dev/null || scripts/install-deps
	@BUILD=$(BUILD) scripts/demo.sh
	@BUILD=$(BUILD) scripts/demo-failover.py

bench: all
	@scripts/install-deps --check >/dev/null || scripts/install-deps
	@BUILD=$(BUILD) scripts/bench.sh

# randomized faults against a pair, every DHCPACK checked (docs/CHAOS.md):
#   make chaos CYCLES=100 SEED=7 [PARTNER=isc-primary|isc-secondary]
# (logs, summary.json and the chart availability.png in build/chaos/DATE-TIME, or CHAOS_OUT)
chaos: all
	@scripts/install-deps --check >/dev/null || scripts/install-deps
	@out=$${CHAOS_OUT:-$(BUILD)/chaos/$$(date +%Y%m%d-%H%M%S)}; mkdir -p "$$out" && \
	BUILD=$(BUILD) CYCLES=$(or $(CYCLES),20) SEED=$(SEED) PARTNER=$(or $(PARTNER),dhcpfod) \
		CHAOS_OUT="$$out" python3 tests/chaos/chaos.py

# a pair of dhcpfod servers: rebalancing a /16 and a /8, the pair's leases per second
bench-failover: all
	@scripts/install-deps --check >/dev/null || scripts/install-deps
	@BUILD=$(BUILD) python3 scripts/bench-failover.py

# ISP scale, side by side with kea-dhcp4 + libdhcp_ha.so where Kea does the same job:
#   make bench-scale [PARTS="resync memory scopes mass"]  (figures in build/bench-scale/)
bench-scale: all
	@scripts/install-deps --check >/dev/null || scripts/install-deps
	@BUILD=$(BUILD) scripts/bench-scale/run
