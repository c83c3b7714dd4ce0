# tcpdoctor — build, test, install. See README.md.
#   make            build build/tcpdoctor
#   make run        build, then run the host health check (tcpdoctor check)
#   make test       unit tests, the same under ASan+UBSan, then end-to-end tests
#   make asan       the unit tests built and run with ASan+UBSan
#   make fuzz       build the libFuzzer targets (clang) and run each briefly
#   make bench      benchmarks against ss, netstat, lsof, tshark, tcptrace, traceroute (root)
#   make format     clang-format every source file in place
#   make pot        po/tcpdoctor.pot from the sources, merged into po/*.po (po/README.md)
#   make install    PREFIX=/usr/local DESTDIR= (binary, man page, completions, units, data)
#   make uninstall  remove what make install put down (same PREFIX, DESTDIR)
#   make deb        the Debian package (dpkg-buildpackage) into build/deb/

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share/tcpdoctor
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/vendor-completions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d
UNITDIR ?= $(PREFIX)/lib/systemd/system
LOCALEDIR ?= $(PREFIX)/share/locale
BUILD ?= build

CC ?= cc
PKG_CONFIG ?= pkg-config
PKGS := libmnl libpcap libmicrohttpd sqlite3 libxcrypt zlib libzstd liblzma
# Headers only: src/lib/lazylib.c dlopen()s these on their first call, so the
# commands that do not use them do not map them (and what they pull in).
DL_PKGS := libpcap libmicrohttpd sqlite3

OPT ?= -O2
CFLAGS ?= $(OPT) -g
WARNFLAGS := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2 \
	     -Wmissing-prototypes -Wno-missing-field-initializers
ifeq ($(SAN),1)
CFLAGS += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
endif
# One include path for the library, one for the rest: an include names the
# folder its header lives in ("sockets/sock.h", "render/json.h").
ALL_CPPFLAGS := -D_GNU_SOURCE -Isrc/lib -Isrc $(CPPFLAGS)
ALL_CFLAGS := -std=gnu11 $(WARNFLAGS) $(CFLAGS) \
	      $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
LIBS := $(shell $(PKG_CONFIG) --libs $(filter-out $(DL_PKGS),$(PKGS)) 2>/dev/null || echo -lmnl -lcrypt -lz -lzstd -llzma) -ldl -pthread -lm
TEST_LIBS := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null || echo -lcmocka)

# Sources are found by folder: src/lib and its subsystem folders, src/render.
LIB_SRC := $(sort $(shell find src/lib src/render -name '*.c'))
CMD_SRC := $(sort $(wildcard src/cmd/*.c)) src/main.c
TEST_SRC := $(sort $(shell find tests/unit -name 'test_*.c'))
BENCH_SRC := $(sort $(wildcard bench/*.c))
include src/bpf/bpf.mk

LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
CMD_OBJ := $(CMD_SRC:%.c=$(BUILD)/obj/%.o)
TESTS := $(addprefix $(BUILD)/tests/,$(notdir $(TEST_SRC:.c=)))
BENCHES := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)

# The message catalogues: po/LANG.po compiled by msgfmt, laid out as they
# are installed, so the binary finds them beside itself (src/lib/catalog.h).
LINGUAS := zh_CN
MO := $(LINGUAS:%=$(BUILD)/locale/%/LC_MESSAGES/tcpdoctor.mo)
MSGFMT ?= msgfmt

.PHONY: all run test unit asan e2e fuzz bench format format-check install uninstall deb \
	completions clean deps print-libs pot findings-pot
all: $(BUILD)/tcpdoctor $(MO)

$(BUILD)/locale/%/LC_MESSAGES/tcpdoctor.mo: po/%.po
	@mkdir -p $(dir $@)
	$(MSGFMT) --check -o $@ $<

# Where make install puts them: compiled in, found when not beside the binary.
$(BUILD)/obj/src/lib/catalog.o: ALL_CPPFLAGS += -DTD_LOCALEDIR_DEFAULT='"$(LOCALEDIR)"'

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libtd.a: $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/tcpdoctor: $(CMD_OBJ) $(BUILD)/libtd.a
	$(CC) $(LDFLAGS) -o $@ $(CMD_OBJ) $(BUILD)/libtd.a $(LIBS)

# tests/unit mirrors src/lib's folders; the binaries sit side by side.
vpath test_%.c $(sort $(dir $(TEST_SRC)))
$(BUILD)/tests/%: %.c $(BUILD)/libtd.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< \
		$(BUILD)/libtd.a $(LIBS) $(TEST_LIBS)

$(BUILD)/bench/%: bench/%.c $(BUILD)/libtd.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libtd.a $(LIBS)

# The floor of bench/pcap: libpcap itself, not lazylib's wrappers.
$(BUILD)/bench/pcaploop: bench/pcaploop.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< -lpcap

# bench/pcap's second floor: mapped reading and a flow table, no library.
$(BUILD)/bench/pcapflows: bench/pcapflows.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $<

deps:
	@scripts/deps --check >/dev/null 2>&1 || scripts/deps

run: deps
	@$(MAKE) --no-print-directory all
	./$(BUILD)/tcpdoctor

unit: $(TESTS) $(BUILD)/tcpdoctor $(MO)

# The whole suite: unit tests, the same under ASan+UBSan, then end-to-end.
test: deps
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory BUILD=build/asan SAN=1 unit
	@tests/run --build $(BUILD) --asan-build build/asan

asan: deps
	@$(MAKE) --no-print-directory BUILD=build/asan SAN=1 unit
	@tests/run --build build/asan --unit-only

e2e: all
	@tests/run --build $(BUILD) --e2e-only

# Benchmarks (root, several minutes, not run by CI): see bench/README.md.
bench: all $(BENCHES)
	bench/states/run
	bench/pcap/run
	bench/route/run

fuzz:
	@FUZZ_LIBS="$(LIBS)" tests/fuzz/run $(FUZZ_SECONDS)

# The libraries the library links with (tests/fuzz/run asks when run alone).
print-libs:
	@echo $(LIBS)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

format-check:
	clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')

# po/tcpdoctor.pot: the knowledge base's texts (build/kbpot walks the table)
# and the findings' (xgettext on the rules' calls), then every po/LANG.po
# merged with it (new texts untranslated, changed ones fuzzy: tests/po/check
# fails until a translator has done them).
XGETTEXT_KEYS := --keyword=N_ --keyword=summary:2 --keyword=action:2 \
		 --keyword=td_tr --keyword=td_tr_text
FINDINGS_SRC := src/lib/diagnose/rules.c src/lib/diagnose/sysctl.c src/cmd/check.c \
		src/cmd/remedy.c
# The findings' messages alone, into POT_OUT (tests/unit/test_catalog.c
# requires every one of them in po/zh_CN.po: a new text cannot go untranslated).
findings-pot:
	xgettext --language=C --from-code=UTF-8 $(XGETTEXT_KEYS) --add-comments=TRANSLATORS: \
		--no-location --omit-header -o $(POT_OUT) $(FINDINGS_SRC)
$(BUILD)/kbpot: po/kbpot.c $(BUILD)/libtd.a
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libtd.a $(LIBS)
pot: $(BUILD)/kbpot
	@mkdir -p $(BUILD)/po
	$(BUILD)/kbpot >$(BUILD)/po/kb.pot
	$(MAKE) --no-print-directory findings-pot POT_OUT=$(BUILD)/po/findings.pot
	msgcat --use-first po/header.pot $(BUILD)/po/kb.pot $(BUILD)/po/findings.pot \
		-o po/tcpdoctor.pot
	for l in $(LINGUAS); do msgmerge --quiet --update --backup=none po/$$l.po \
		po/tcpdoctor.pot || exit 1; done

# The completion scripts come from the binary itself (tcpdoctor completion SHELL).
COMPLETIONS := $(BUILD)/completion/tcpdoctor $(BUILD)/completion/_tcpdoctor \
	       $(BUILD)/completion/tcpdoctor.fish
completions: $(COMPLETIONS)
$(BUILD)/completion/tcpdoctor: $(BUILD)/tcpdoctor
	@mkdir -p $(dir $@)
	$(BUILD)/tcpdoctor completion bash >$@
$(BUILD)/completion/_tcpdoctor: $(BUILD)/tcpdoctor
	@mkdir -p $(dir $@)
	$(BUILD)/tcpdoctor completion zsh >$@
$(BUILD)/completion/tcpdoctor.fish: $(BUILD)/tcpdoctor
	@mkdir -p $(dir $@)
	$(BUILD)/tcpdoctor completion fish >$@

# Every file install puts down, so uninstall removes exactly those.
INSTALLED := $(BINDIR)/tcpdoctor $(MANDIR)/man1/tcpdoctor.1 $(BASHCOMPDIR)/tcpdoctor \
	     $(ZSHCOMPDIR)/_tcpdoctor $(FISHCOMPDIR)/tcpdoctor.fish \
	     $(UNITDIR)/tcpdoctor-serve.service $(UNITDIR)/tcpdoctor-record.service \
	     $(DATADIR)/prometheus/alerts.yml $(DATADIR)/grafana/tcpdoctor.json \
	     $(LINGUAS:%=$(LOCALEDIR)/%/LC_MESSAGES/tcpdoctor.mo)

install: all completions
	install -D -m 0755 $(BUILD)/tcpdoctor $(DESTDIR)$(BINDIR)/tcpdoctor
	install -D -m 0644 docs/tcpdoctor.1 $(DESTDIR)$(MANDIR)/man1/tcpdoctor.1
	install -D -m 0644 $(BUILD)/completion/tcpdoctor $(DESTDIR)$(BASHCOMPDIR)/tcpdoctor
	install -D -m 0644 $(BUILD)/completion/_tcpdoctor $(DESTDIR)$(ZSHCOMPDIR)/_tcpdoctor
	install -D -m 0644 $(BUILD)/completion/tcpdoctor.fish \
		$(DESTDIR)$(FISHCOMPDIR)/tcpdoctor.fish
	@mkdir -p $(DESTDIR)$(UNITDIR)
	for u in serve record; do \
		sed 's|/usr/local/bin/tcpdoctor|$(BINDIR)/tcpdoctor|' \
			contrib/systemd/tcpdoctor-$$u.service \
			>$(DESTDIR)$(UNITDIR)/tcpdoctor-$$u.service || exit 1; \
		chmod 0644 $(DESTDIR)$(UNITDIR)/tcpdoctor-$$u.service; \
	done
	install -D -m 0644 contrib/prometheus/alerts.yml $(DESTDIR)$(DATADIR)/prometheus/alerts.yml
	install -D -m 0644 contrib/grafana/tcpdoctor.json $(DESTDIR)$(DATADIR)/grafana/tcpdoctor.json
	for l in $(LINGUAS); do \
		install -D -m 0644 $(BUILD)/locale/$$l/LC_MESSAGES/tcpdoctor.mo \
			$(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/tcpdoctor.mo || exit 1; \
	done

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	-rmdir $(DESTDIR)$(DATADIR)/prometheus $(DESTDIR)$(DATADIR)/grafana $(DESTDIR)$(DATADIR) \
		2>/dev/null

# The Debian package, built from a copy of the tree (dpkg-buildpackage
# writes beside the source and cleans it): build/deb/tcpdoctor_*.deb.
deb:
	scripts/package build

clean:
	rm -rf build

-include $(LIB_OBJ:.o=.d) $(CMD_OBJ:.o=.d)

# The lab under load (root, minutes, not run by CI): every scenario
# STRESS_REPS times (default 10) while a busy loop per CPU runs.
.PHONY: stress
stress: all
	@tests/stress $(STRESS_REPS)

# Long fuzzing (not run by CI): each target FUZZ_SECONDS (default 600) in
# turn, then its finds merged into the kept corpus, tests/fuzz/corpus/.
.PHONY: fuzz-long
fuzz-long:
	@FUZZ_LIBS="$(LIBS)" tests/fuzz/run --long $(or $(FUZZ_SECONDS),600)
