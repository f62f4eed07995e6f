# gridline — build, run and test. The two commands for a new user:
#   make run    install dependencies, build, create the demo database, serve
#   make test   install dependencies, build with ASan+UBSan, run every suite
#
# Targets that compile read pkg-config flags, so `run` and `test` first run
# scripts/deps.sh and then re-enter make once the libraries are present.

PKGS     := libmicrohttpd jansson sqlite3 libsodium liboath libjpeg libpng libcurl xlsxwriter libqrencode
VERSION  := $(shell git describe --always --dirty 2>/dev/null || echo dev)
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   = $(shell pkg-config --libs $(PKGS))

CC       ?= cc
WARN     := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2
DEFS     := -D_GNU_SOURCE -DGL_VERSION='"$(VERSION)"'
INC      := -Isrc -Ibuild/gen
REL_CFLAGS  = $(WARN) $(DEFS) $(INC) -O2 -g $(PKG_CFLAGS)
ASAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
ASAN_CFLAGS = $(WARN) $(DEFS) $(INC) -O1 -g $(ASAN_FLAGS) $(PKG_CFLAGS)
LIBS        = $(PKG_LIBS) -lcsv -lpthread -lm

SRC      := $(wildcard src/*.c src/http/*.c src/api/*.c src/core/*.c src/db/*.c)
GEN      := build/gen/embed_web.c build/gen/embed_migrations.c
REL_OBJ  := $(patsubst src/%.c,build/rel/%.o,$(SRC)) build/rel/gen/embed_web.o build/rel/gen/embed_migrations.o
ASAN_OBJ := $(patsubst src/%.c,build/asan/%.o,$(SRC)) build/asan/gen/embed_web.o build/asan/gen/embed_migrations.o

# The web app: our files plus vendored npm modules (bare "preact" imports
# rewritten to relative paths so no inline import map is needed under CSP).
WEB_SRC    := $(shell find web -type f | sort)
VENDOR     := build/web/vendor/preact.module.js build/web/vendor/hooks.module.js build/web/vendor/htm.module.js \
              build/web/vendor/echarts.js build/web/vendor/leaflet.js build/web/vendor/leaflet.css
MIGRATIONS := $(sort $(wildcard db/migrations/*/*.sql))

UNIT_TESTS := $(patsubst tests/unit/%.c,build/asan/tests/%,$(wildcard tests/unit/*.c))
UNIT_DEPS  := $(patsubst src/%.c,build/asan/%.o,$(wildcard src/core/*.c)) build/asan/http/jspec.o build/asan/http/errors.o build/asan/image.o build/asan/export.o

DB       ?= var/gridline.db
LISTEN   ?= 127.0.0.1:8080

.PHONY: all run test test-unit test-api test-browser build-asan deps clean bench screenshots
all: build/gridline

deps:
	@scripts/deps.sh

run: deps
	@$(MAKE) --no-print-directory build/gridline
	@DB=$(DB) LISTEN=$(LISTEN) scripts/run.sh

test: deps
	@$(MAKE) --no-print-directory test-unit test-api test-browser

build/gridline: $(REL_OBJ)
	@echo "  LD      $@"
	@$(CC) $(REL_CFLAGS) -o $@ $^ $(LIBS)

build/asan/gridline: $(ASAN_OBJ)
	@echo "  LD asan $@"
	@$(CC) $(ASAN_CFLAGS) -o $@ $^ $(LIBS)

build/rel/%.o: src/%.c $(wildcard src/*.h src/*/*.h) | build/gen/embed.h
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(REL_CFLAGS) -c -o $@ $<

build/asan/%.o: src/%.c $(wildcard src/*.h src/*/*.h) | build/gen/embed.h
	@mkdir -p $(dir $@)
	@echo "  CC asan $<"
	@$(CC) $(ASAN_CFLAGS) -c -o $@ $<

build/rel/gen/%.o: build/gen/%.c
	@mkdir -p $(dir $@)
	@$(CC) $(REL_CFLAGS) -c -o $@ $<

build/asan/gen/%.o: build/gen/%.c
	@mkdir -p $(dir $@)
	@$(CC) $(ASAN_CFLAGS) -c -o $@ $<

build/gen/embed.h: src/embed.h
	@mkdir -p build/gen
	cp $< $@

build/embed: tools/embed.c
	@mkdir -p build
	$(CC) -O2 -Wall -Wextra -Werror -o $@ $<

build/web/vendor/preact.module.js: node_modules/preact/dist/preact.module.js
	@mkdir -p $(dir $@)
	cp $< $@
build/web/vendor/hooks.module.js: node_modules/preact/hooks/dist/hooks.module.js
	@mkdir -p $(dir $@)
	sed 's|from"preact"|from"./preact.module.js"|g; s|from "preact"|from "./preact.module.js"|g' $< > $@
build/web/vendor/htm.module.js: node_modules/htm/dist/htm.module.js
	@mkdir -p $(dir $@)
	cp $< $@
build/web/vendor/echarts.js: node_modules/echarts/dist/echarts.esm.min.js
	@mkdir -p $(dir $@)
	cp $< $@
build/web/vendor/leaflet.js: node_modules/leaflet/dist/leaflet-src.esm.js
	@mkdir -p $(dir $@)
	cp $< $@
build/web/vendor/leaflet.css: node_modules/leaflet/dist/leaflet.css
	@mkdir -p $(dir $@)
	cp $< $@

build/gen/embed_web.c: build/embed $(WEB_SRC) $(VENDOR)
	@build/embed $@ embed_web $(foreach f,$(WEB_SRC),$(patsubst web/%,/%,$(f))=$(f)) \
	    $(foreach f,$(VENDOR),$(patsubst build/web/%,/%,$(f))=$(f))

build/gen/embed_migrations.c: build/embed $(MIGRATIONS)
	@build/embed $@ embed_migrations $(foreach f,$(MIGRATIONS),$(patsubst db/migrations/%,%,$(f))=$(f))

# ---- tests -----------------------------------------------------------------

build/asan/tests/%: tests/unit/%.c $(UNIT_DEPS)
	@mkdir -p $(dir $@)
	@echo "  LD test $@"
	@$(CC) $(ASAN_CFLAGS) -o $@ $< $(UNIT_DEPS) $(LIBS) -lcmocka

test-unit: $(UNIT_TESTS)
	@set -e; for t in $(UNIT_TESTS); do echo "== $$t"; $$t; done

test-api: build/asan/gridline
	GRIDLINE_BIN=$(CURDIR)/build/asan/gridline node --test --test-concurrency=2 tests/api/

# The web app in the system's Chromium (scripts/deps.sh installs it).
test-browser: build/asan/gridline
	GRIDLINE_BIN=$(CURDIR)/build/asan/gridline node --test --test-concurrency=2 tests/browser/

# Every view as its users see it, into docs/screenshots/ (look at them).
screenshots: deps
	@$(MAKE) --no-print-directory build/gridline
	node scripts/screenshots.mjs

bench: deps
	@$(MAKE) --no-print-directory build/gridline
	@scripts/bench.sh

clean:
	rm -rf build
