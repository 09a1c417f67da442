# nstrace - see README.md.  `make demo` and `make test` are the two commands.
CC      ?= cc
CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 -Wall -Wextra -Werror -fno-omit-frame-pointer
CPPFLAGS += -Itracer -Ianalyzers
LDLIBS  = -ljansson -lcurl -lunwind-ptrace -lunwind-generic -lunwind
SAN     = -fsanitize=address,undefined -fno-sanitize-recover=all

TRACER_SRC = $(filter-out tracer/main.c,$(wildcard tracer/*.c)) $(wildcard analyzers/*.c)
HDRS       = $(wildcard tracer/*.h analyzers/*.h)
PROGS      = $(patsubst tests/progs/%.c,build/progs/%,$(wildcard tests/progs/*.c))
UNITS      = $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test_*.c))

# Debian packages: build, test and lab dependencies (make deps installs them).
DEB_PKGS = gcc make libjansson-dev libunwind-dev libcurl4-openssl-dev iproute2 jq procps util-linux dnsmasq-base iptables strace time

.PHONY: all asan progs units test demo deps clean
all: build/nstrace
asan: build/asan/nstrace

build/nstrace: $(TRACER_SRC) tracer/main.c $(HDRS) | build
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $(TRACER_SRC) tracer/main.c $(LDLIBS)

build/asan/nstrace: $(TRACER_SRC) tracer/main.c $(HDRS) | build
	@mkdir -p build/asan
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SAN) -o $@ $(TRACER_SRC) tracer/main.c $(LDLIBS)

build/progs/%: tests/progs/%.c | build
	@mkdir -p build/progs
	$(CC) -std=gnu11 -Wall -Wextra -Werror -O1 -g -fno-omit-frame-pointer -pthread -o $@ $<

# Like Go code: frame pointers, no DWARF unwind tables to find.
build/progs/fp_stack: tests/progs/fp_stack.c | build
	@mkdir -p build/progs
	$(CC) -std=gnu11 -Wall -Wextra -Werror -O1 -g -fno-omit-frame-pointer \
		-fno-asynchronous-unwind-tables -fno-unwind-tables -Wl,--no-eh-frame-hdr -o $@ $<

progs: $(PROGS)

# Unit tests link the pure modules only, plain and sanitized.
build/unit/%: tests/unit/%.c $(TRACER_SRC) $(HDRS) tests/unit/unit.h | build
	@mkdir -p build/unit
	$(CC) $(CPPFLAGS) $(CFLAGS) -Itests/unit -o $@ $< $(TRACER_SRC) $(LDLIBS)
build/unit-asan/%: tests/unit/%.c $(TRACER_SRC) $(HDRS) tests/unit/unit.h | build
	@mkdir -p build/unit-asan
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SAN) -Itests/unit -o $@ $< $(TRACER_SRC) $(LDLIBS)

units: $(addprefix build/unit/,$(UNITS)) $(addprefix build/unit-asan/,$(UNITS))

build:
	@mkdir -p build

deps:
	@missing=""; for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

# The main job on its built-in default: the article's pattern, live.
demo: deps all progs
	sh tests/demo.sh

test: deps all asan progs units
	sh tests/run.sh

clean:
	rm -rf build

# Benchmarks (not tests): medians of several runs, written to bench/RESULTS.md.
.PHONY: bench
bench: deps all progs
	sh bench/run.sh

# The real-dockerd end-to-end lab alone (make test runs it too).
.PHONY: e2e
e2e: deps all progs
	sh tests/e2e/run.sh > build/e2e.log 2>&1; rc=$$?; cat build/e2e.log; \
	p=$$(grep -c '^PASS:' build/e2e.log); f=$$(grep -c '^FAIL:' build/e2e.log); \
	s=$$(grep -c '^SKIP:' build/e2e.log); echo "$$p passed, $$f failed, $$s skipped"; \
	[ $$rc -eq 0 ] && [ $$f -eq 0 ]
