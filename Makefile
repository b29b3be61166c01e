# Makefile: the one, non-recursive build of cjm.
#   make            build build/cjm
#   make deps       install the Debian packages the build and tests need (when missing)
#   make demo       deps + build + check, run and draw the main example
#   make test       deps + build + the whole test suite (ends with "N passed, N failed")
#   make check      build + the suite without valgrind and without installing anything: the
#                   quick check while editing
#   make bench      speed and memory of the simulator against a hand-written C loop, and of
#                   cjm fit on generated event logs (make bench-fit: those rows alone)
#   make install    PREFIX=/usr/local DESTDIR=   the program, the standard library, man pages, Vim
#                   files, bash and zsh completion (make uninstall removes them)
#   make vsix       the VS Code extension as build/cjm-journey.vsix (needs node and npm)
#   make asan       the test suite against an ASan + UBSan + LSan build
#   make memcheck   the test suite with every cjm command under valgrind
#   make fuzz       FUZZ_TARGET=front|engine|data FUZZ_SECONDS=60: libFuzzer on one harness
#   make fuzz-coverage FUZZ_TARGET=front|engine|data: the source coverage its committed corpus reaches
# Generated sources (flex, bison, version) go to build/gen/FOLDER, with the folder that owns them;
# objects to build/obj.

PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
DATADIR  ?= $(PREFIX)/share
MANDIR   ?= $(DATADIR)/man
STDLIBDIR ?= $(DATADIR)/cjm/stdlib
VIMDIR   ?= $(DATADIR)/vim/vimfiles
NVIMDIR  ?= $(DATADIR)/nvim/site
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
ZSHCOMPDIR ?= $(DATADIR)/zsh/site-functions
INSTALL  ?= install
CC       ?= cc
CFLAGS   ?= -O2 -g
FLEX     ?= flex
BISON    ?= bison
PKG_CONFIG ?= pkg-config

B        := build
# V=1 shows whole command lines.
V ?= 0
ifeq ($(V),0)
Q := @
say = @echo '  $(1) $(2)';
else
Q :=
say :=
endif
GEN      := $(B)/gen
OBJ      := $(B)/obj

WARNINGS := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wwrite-strings
GV_CFLAGS = $(shell $(PKG_CONFIG) --cflags libcgraph libgvc 2>/dev/null)
GV_LIBS   = $(shell $(PKG_CONFIG) --libs libcgraph libgvc 2>/dev/null)
ALL_CPPFLAGS = -D_XOPEN_SOURCE=700 $(CPPFLAGS)
ALL_CFLAGS = -std=c11 $(WARNINGS) $(CFLAGS) -MMD -MP
# data/ reads gzip with zlib and XES with expat (both MIT-style licences, Debian's zlib1g-dev and
# libexpat1-dev).
DATA_LIBS := -lexpat -lz
LDLIBS   += $(DATA_LIBS) -lm -lpthread

# ---- the layers (docs/architecture.md) ----
# Each folder is compiled with the include paths of the folders it may use and no other, so that
# an #include of a header from a layer it must not depend on fails to compile (tests/cli/layers.sh
# checks both that and every #include line). Headers generated for a folder (build/gen/FOLDER) go
# with it. A new folder is one line here.
USES_lang       := lang
USES_runtime    := lang runtime
USES_data       := data
USES_fit        := lang data runtime fit
USES_render     := lang runtime fit data render
# The clients use the core only through include/cjm.h, the library's face. Their compiler also
# sees the layers the face shows them (FACE_x, by default the whole library), since cjm.h includes
# their headers; which layers a client sees decides which parts of cjm.h it gets.
USES_include    := lang data runtime fit render
USES_cli        := include cli
USES_tests/unit := include cli tests/unit
USES_tests/fuzz := include tests/fuzz
GEN_HEADERS_lang := parser.h lexer.h
GEN_HEADERS_cli  := version.h
LIBRARY_LAYERS  := lang data runtime fit render
CLIENTS         := cli tests/unit tests/fuzz

# The folder a source belongs to (build/gen/lang/parser.c is lang's), the folders it may include
# from, and the compiler's include paths for them.
folder_of   = $(patsubst $(GEN)/%,%,$(patsubst %/,%,$(dir $(1))))
sees        = $(USES_$(1)) $(if $(filter include,$(USES_$(1))),$(or $(FACE_$(1)),$(USES_include)))
include_dirs = $(foreach d,$(call sees,$(1)),-I$(d) $(if $(GEN_HEADERS_$(d)),-I$(GEN)/$(d)))

LANG_SRC    := $(wildcard lang/*.c)
RUNTIME_SRC := $(wildcard runtime/*.c)
RENDER_SRC  := $(wildcard render/*.c)
DATA_SRC    := $(wildcard data/*.c)
FIT_SRC     := $(wildcard fit/*.c)
CLI_SRC     := $(wildcard cli/*.c)

LANG_OBJ    := $(LANG_SRC:%.c=$(OBJ)/%.o) $(OBJ)/gen/lang/parser.o $(OBJ)/gen/lang/lexer.o
RUNTIME_OBJ := $(RUNTIME_SRC:%.c=$(OBJ)/%.o)
RENDER_OBJ  := $(RENDER_SRC:%.c=$(OBJ)/%.o)
DATA_OBJ    := $(DATA_SRC:%.c=$(OBJ)/%.o)
FIT_OBJ     := $(FIT_SRC:%.c=$(OBJ)/%.o)
CLI_OBJ     := $(CLI_SRC:%.c=$(OBJ)/%.o)
LIB_OBJ     := $(LANG_OBJ) $(DATA_OBJ) $(RUNTIME_OBJ) $(FIT_OBJ) $(RENDER_OBJ)

UNIT_SRC    := $(wildcard tests/unit/*.c)
UNIT_OBJ    := $(UNIT_SRC:%.c=$(OBJ)/%.o)
FUZZ_COMMON := $(OBJ)/tests/fuzz/memfs.o
FUZZ_OBJ    := $(patsubst %.c,$(OBJ)/%.o,$(wildcard tests/fuzz/*.c))

.PHONY: all deps demo test clean install uninstall vsix FORCE
all: $(B)/cjm

$(B)/cjm: $(CLI_OBJ) $(LIB_OBJ)
	$(call say,LINK,$@)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(GV_LIBS) $(LDLIBS)

# The unit tests also test cli's pure parts (its parsers), which they link alone.
CLI_UNITS   := $(OBJ)/cli/sweep.o
$(B)/test_unit: $(UNIT_OBJ) $(LIB_OBJ) $(CLI_UNITS)
	$(call say,LINK,$@)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(GV_LIBS) $(LDLIBS)

# Fuzz harnesses, replayed over their corpus by `make test` (tests/fuzz/replay.c), fuzzed by
# `make fuzz` with clang's libFuzzer.
$(B)/replay_front: $(OBJ)/tests/fuzz/fuzz_front.o $(OBJ)/tests/fuzz/replay.o $(FUZZ_COMMON) $(LANG_OBJ)
	$(call say,LINK,$@)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/replay_engine: $(OBJ)/tests/fuzz/fuzz_engine.o $(OBJ)/tests/fuzz/replay.o $(FUZZ_COMMON) $(LIB_OBJ)
	$(call say,LINK,$@)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(GV_LIBS) $(LDLIBS)

# The data layer's harness writes each input to a temporary file and reads it (tests/fuzz/fuzz_data.c);
# replay.c reads its inputs with lang's source_read_file.
$(B)/replay_data: $(OBJ)/tests/fuzz/fuzz_data.o $(OBJ)/tests/fuzz/replay.o $(LANG_OBJ) $(DATA_OBJ)
	$(call say,LINK,$@)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/fuzz_data: $(OBJ)/tests/fuzz/fuzz_data.o $(LANG_OBJ) $(DATA_OBJ)
	$(call say,LINK,$@)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)

$(B)/fuzz_front: $(OBJ)/tests/fuzz/fuzz_front.o $(FUZZ_COMMON) $(LANG_OBJ)
	$(call say,LINK,$@)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)

$(B)/fuzz_engine: $(OBJ)/tests/fuzz/fuzz_engine.o $(FUZZ_COMMON) $(LIB_OBJ)
	$(call say,LINK,$@)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(GV_LIBS) $(LDLIBS)

# The dictionary: every keyword, the operand words, operators and functions of expressions
# (lang/expr.def), and the rest of the syntax.
$(B)/journey.dict: lang/keywords.def lang/expr.def lang/builtins.def
	@mkdir -p $(B)
	$(call say,GEN,$@)sed -n 's/^KW("\([a-z]*\)".*/"\1"/p' lang/keywords.def > $@.tmp && \
	sed -n 's/^[A-Z_]*([A-Z_]*, \("[^"]*"\).*/\1/p' lang/expr.def lang/builtins.def >> $@.tmp && \
	printf '%s\n' '"->"' '"+="' '"-="' '"%"' '":"' '"days"' '"hours"' '"weeks"' \
	    '"{"' '"}"' '"("' '")"' '"//"' '"/*"' '"*/"' '"\""' '"//@ "' >> $@.tmp && \
	awk '!seen[$$0]++' $@.tmp > $@ && rm -f $@.tmp

# FUZZ_SANITIZE=undefined fuzzes several times faster; the corpus is then replayed under ASan
# (make asan) and valgrind (make test).
FUZZ_SECONDS ?= 60
FUZZ_TARGET ?= front
FUZZ_SANITIZE ?= address,undefined
FUZZ_FLAGS = -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,$(FUZZ_SANITIZE)
# Each harness's dictionary and the folders of inputs it starts from besides its corpus.
FUZZ_DICT_front  = build/fuzz-$(FUZZ_SANITIZE)/journey.dict
FUZZ_DICT_engine = build/fuzz-$(FUZZ_SANITIZE)/journey.dict
FUZZ_DICT_data   = tests/fuzz/data.dict
FUZZ_SEEDS_front  := examples tests/check tests/run tests/graph
FUZZ_SEEDS_engine := examples tests/check tests/run tests/graph
FUZZ_SEEDS_data   :=
.PHONY: fuzz
fuzz:
	@sh scripts/deps.sh clang libclang-rt-14-dev
	@$(MAKE) --no-print-directory B=build/fuzz-$(FUZZ_SANITIZE) CC=clang CFLAGS="$(FUZZ_FLAGS)" \
	    LDFLAGS="-fsanitize=$(FUZZ_SANITIZE)" build/fuzz-$(FUZZ_SANITIZE)/fuzz_$(FUZZ_TARGET) \
	    build/fuzz-$(FUZZ_SANITIZE)/journey.dict
	@mkdir -p build/fuzz/corpus-$(FUZZ_TARGET) build/fuzz/crashes
	LSAN_OPTIONS=suppressions=tests/lsan.supp ASAN_OPTIONS=fast_unwind_on_malloc=0 \
	build/fuzz-$(FUZZ_SANITIZE)/fuzz_$(FUZZ_TARGET) -max_total_time=$(FUZZ_SECONDS) \
	    -dict=$(FUZZ_DICT_$(FUZZ_TARGET)) -max_len=8192 $(FUZZ_ARGS) \
	    -artifact_prefix=build/fuzz/crashes/$(FUZZ_TARGET)- build/fuzz/corpus-$(FUZZ_TARGET) \
	    tests/fuzz/corpus/$(FUZZ_TARGET) $(FUZZ_SEEDS_$(FUZZ_TARGET))

# The source coverage the committed corpus of one harness reaches (clang's source-based coverage;
# the corpus is minimized with -merge=1, so it reaches what the fuzzing that made it reached).
COV_FLAGS = -O1 -g -fprofile-instr-generate -fcoverage-mapping
.PHONY: fuzz-coverage
fuzz-coverage:
	@sh scripts/deps.sh clang libclang-rt-14-dev llvm
	@$(MAKE) --no-print-directory B=build/cov CC=clang CFLAGS="$(COV_FLAGS)" \
	    LDFLAGS="-fprofile-instr-generate" build/cov/replay_$(FUZZ_TARGET)
	@rm -f build/cov/$(FUZZ_TARGET).profraw
	@LLVM_PROFILE_FILE=build/cov/$(FUZZ_TARGET).profraw build/cov/replay_$(FUZZ_TARGET) \
	    tests/fuzz/corpus/$(FUZZ_TARGET)/* $(if $(filter data,$(FUZZ_TARGET)),,examples/*.journey tests/*/*.journey)
	@llvm-profdata merge -o build/cov/$(FUZZ_TARGET).profdata build/cov/$(FUZZ_TARGET).profraw
	@llvm-cov report build/cov/replay_$(FUZZ_TARGET) -instr-profile=build/cov/$(FUZZ_TARGET).profdata \
	    -ignore-filename-regex='(build|tests)/'

# Generated front end (lang's). The lexer needs the parser's token header.
$(GEN)/lang/parser.c $(GEN)/lang/parser.h &: lang/parser.y
	@mkdir -p $(GEN)/lang
	$(call say,BISON,$<)$(BISON) -Wall -Werror --defines=$(GEN)/lang/parser.h -o $(GEN)/lang/parser.c $<

$(GEN)/lang/lexer.c $(GEN)/lang/lexer.h &: lang/lexer.l $(GEN)/lang/parser.h
	@mkdir -p $(GEN)/lang
	$(call say,FLEX,$<)$(FLEX) --header-file=$(GEN)/lang/lexer.h -o $(GEN)/lang/lexer.c $<

# The version (cli's) comes from git; the header is rewritten only when it changes.
$(GEN)/cli/version.h: FORCE
	@mkdir -p $(GEN)/cli
	@v=$$(git describe --tags --always --dirty 2>/dev/null || echo unknown); \
	 echo "#define CJM_VERSION \"0.1.0 ($$v)\"" > $@.tmp; \
	 cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@

$(OBJ)/cli/main.o $(OBJ)/cli/cmd_report.o $(OBJ)/cli/cmd_check.o $(OBJ)/cli/cmd_fit.o: $(GEN)/cli/version.h

# The standard library folder compiled in (cli/paths.c) follows STDLIBDIR (PREFIX): paths.o is
# rebuilt when it changes.
$(GEN)/cli/stdlibdir.stamp: FORCE
	@mkdir -p $(GEN)/cli
	@echo '$(STDLIBDIR)' > $@.tmp; cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@
$(OBJ)/cli/paths.o: $(GEN)/cli/stdlibdir.stamp
$(OBJ)/cli/paths.o: ALL_CPPFLAGS += -DCJM_LIBDIR='"$(STDLIBDIR)"'
$(LANG_SRC:%.c=$(OBJ)/%.o): $(GEN)/lang/parser.h $(GEN)/lang/lexer.h

$(OBJ)/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)$(CC) $(call include_dirs,$(call folder_of,$<)) $(ALL_CPPFLAGS) $(GV_CFLAGS) $(ALL_CFLAGS) -c -o $@ $<

# flex and bison output is not ours to make warning-free in every respect.
$(OBJ)/gen/%.o: $(GEN)/%.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)$(CC) $(call include_dirs,$(call folder_of,$<)) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -Wno-unused-function -Wno-sign-compare -Wno-missing-prototypes -c -o $@ $<

# What tests/cli/layers.sh checks: each folder's allowed folders and generated headers, and the
# include paths it is compiled with (make print-layers; make print-include-dirs FOLDER=lang).
.PHONY: print-layers print-include-dirs
print-layers:
	@$(foreach f,$(LIBRARY_LAYERS) include $(CLIENTS),echo '$(f): $(USES_$(f))';)
	@echo 'library: $(LIBRARY_LAYERS)'
	@echo 'clients: $(CLIENTS)'
	@$(foreach f,$(LIBRARY_LAYERS) $(CLIENTS),$(if $(GEN_HEADERS_$(f)),echo 'generated $(f): $(GEN_HEADERS_$(f))';))
print-include-dirs:
	@echo '$(call include_dirs,$(FOLDER))'

deps:
	@sh scripts/deps.sh

demo: deps
	@$(MAKE) --no-print-directory all
	@sh scripts/demo.sh

test: deps
	@$(MAKE) --no-print-directory all $(B)/test_unit $(B)/replay_front $(B)/replay_engine $(B)/replay_data
	@sh tests/run.sh

# The edit-test loop: what make test runs but the valgrind pieces, and nothing installed, neither
# Debian packages nor the editor tests' npm packages (what needs a missing tool says SKIP).
.PHONY: check
check:
	@$(MAKE) --no-print-directory all $(B)/test_unit $(B)/replay_front $(B)/replay_engine $(B)/replay_data
	@VALGRIND=0 CJM_NO_INSTALL=1 sh tests/run.sh

# The whole suite against an AddressSanitizer + UndefinedBehaviorSanitizer build (valgrind is
# not needed there: ASan sees the same errors faster, LeakSanitizer the leaks).
ASAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
.PHONY: asan
asan: deps
	@$(MAKE) --no-print-directory B=build/asan CFLAGS="$(ASAN_FLAGS)" LDFLAGS="-fsanitize=address,undefined" \
	    build/asan/cjm build/asan/test_unit build/asan/replay_front build/asan/replay_engine build/asan/replay_data
	@CJM=build/asan/cjm UNIT=build/asan/test_unit REPLAY_FRONT=build/asan/replay_front \
	    REPLAY_ENGINE=build/asan/replay_engine REPLAY_DATA=build/asan/replay_data VALGRIND=0 \
	    ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0:abort_on_error=0:exitcode=98 LSAN_OPTIONS=suppressions=tests/lsan.supp \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 sh tests/run.sh

# Benchmarks (bench/run.sh): cjm's speed next to a hand-written C loop of the same journey
# (bench/handloop.c, built with the same flags), two threads over one, peak memory, and the
# front end and exact analysis on generated journeys of thousands of stages.
.PHONY: bench
$(B)/bench/handloop: bench/handloop.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< -lm

$(B)/bench/loggen: bench/loggen.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< -lm

bench: all $(B)/bench/handloop $(B)/bench/loggen
	@sh bench/run.sh
	@sh bench/fit.sh

# Only the rows of cjm fit (bench/fit.sh): events per second and memory on generated logs.
.PHONY: bench-fit
bench-fit: all $(B)/bench/loggen
	@sh bench/fit.sh

# Installation. The installed program finds its library in ../share/cjm/stdlib beside it (so a
# DESTDIR staging works as it is), else in STDLIBDIR. Vim reads VIMDIR when it is in its
# 'runtimepath' (PREFIX=/usr: /usr/share/vim/vimfiles); Neovim reads NVIMDIR from XDG_DATA_DIRS.
VIM_PARTS := ftdetect ftplugin indent syntax compiler
install: all
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(STDLIBDIR)/std $(DESTDIR)$(STDLIBDIR)/templates \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	$(INSTALL) -m 755 $(B)/cjm $(DESTDIR)$(BINDIR)/cjm
	$(INSTALL) -m 644 stdlib/std/*.journey $(DESTDIR)$(STDLIBDIR)/std
	$(INSTALL) -m 644 stdlib/templates/*.journey $(DESTDIR)$(STDLIBDIR)/templates
	$(INSTALL) -m 644 man/cjm.1 $(DESTDIR)$(MANDIR)/man1/cjm.1
	$(INSTALL) -m 644 man/journey.5 $(DESTDIR)$(MANDIR)/man5/journey.5
	$(INSTALL) -m 644 completion/cjm.bash $(DESTDIR)$(BASHCOMPDIR)/cjm
	$(INSTALL) -m 644 completion/_cjm $(DESTDIR)$(ZSHCOMPDIR)/_cjm
	for part in $(VIM_PARTS); do \
	    for dir in $(DESTDIR)$(VIMDIR) $(DESTDIR)$(NVIMDIR); do \
	        $(INSTALL) -d $$dir/$$part && $(INSTALL) -m 644 editors/vim/$$part/*.vim $$dir/$$part || exit 1; \
	    done; \
	done

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/cjm $(DESTDIR)$(MANDIR)/man1/cjm.1 $(DESTDIR)$(MANDIR)/man5/journey.5 \
	    $(DESTDIR)$(BASHCOMPDIR)/cjm $(DESTDIR)$(ZSHCOMPDIR)/_cjm
	rm -rf $(DESTDIR)$(STDLIBDIR)
	-rmdir $(DESTDIR)$(DATADIR)/cjm 2>/dev/null
	for part in $(VIM_PARTS); do \
	    for f in editors/vim/$$part/*.vim; do \
	        rm -f $(DESTDIR)$(VIMDIR)/$$part/$${f##*/} $(DESTDIR)$(NVIMDIR)/$$part/$${f##*/}; \
	    done; \
	done

# The VS Code extension, packaged by vsce (installed under build/editors from the npm registry).
vsix: $(B)/cjm-journey.vsix
$(B)/cjm-journey.vsix: $(wildcard editors/vscode/*.* editors/vscode/*/*) tests/editors/package.json
	@sh tests/editors/npm-install.sh $(B)/editors
	$(call say,VSCE,$@)cd editors/vscode && $(abspath $(B))/editors/node_modules/.bin/vsce package --allow-missing-repository \
	    --no-dependencies --out $(abspath $@) >/dev/null

# The whole suite with every cjm command under valgrind (tests/memcheck.sh).
.PHONY: memcheck
memcheck: deps
	@$(MAKE) --no-print-directory all $(B)/test_unit $(B)/replay_front $(B)/replay_engine $(B)/replay_data
	@sh tests/memcheck.sh

clean:
	rm -rf $(B)

-include $(wildcard $(OBJ)/*/*.d $(OBJ)/*/*/*.d $(OBJ)/*/*/*/*.d)
