# nstrace - see README.md.  `make demo` and `make test` are the two commands.
#
# Each source is compiled once per flavour (plain, and ASan+UBSan) into
# build/{obj,asan/obj}/DIR/FILE.o; everything but cli/main.c goes into a
# static library (build/libnstrace.a, build/asan/libnstrace.a) that the tool
# and the unit tests link.  Header dependencies come from -MMD, so `make -j2`
# rebuilds exactly what a change touches.
CC      ?= cc
CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 -Wall -Wextra -Werror -fno-omit-frame-pointer -pthread
CPPFLAGS += -I.
LDLIBS  = -ljansson -lunwind-ptrace -lunwind-generic -lunwind
SAN     = -fsanitize=address,undefined -fno-sanitize-recover=all
# The plain flavour (the tool, its unit tests) is optimised as one program:
# replay's per-line work crosses many small modules (bench/RESULTS.md).
# `make LTO=` builds without it.
LTO     ?= -O3 -flto=auto

# The pipeline, in dependency order (each folder's README says what it may use).
LAYERS   = model names tracer import firewall analyzers output diagnose cli
LIB_SRC  = $(filter-out cli/main.c %.bpf.c,$(foreach d,$(LAYERS),$(wildcard $(d)/*.c)))
LIB_OBJ  = $(LIB_SRC:%.c=build/obj/%.o)
ALIB_OBJ = $(LIB_SRC:%.c=build/asan/obj/%.o)
UNITS    = $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test_*.c))
PROGS    = $(patsubst tests/progs/%.c,build/progs/%,$(wildcard tests/progs/*.c))

.PHONY: all asan lib progs clients units test demo deps clean bench e2e fuzz fuzz-long install uninstall
# Keep every object (unit-test objects would otherwise be deleted as intermediates).
.SECONDARY:
# A recipe that fails leaves no half-written target behind.
.DELETE_ON_ERROR:
all: build/nstrace
asan: build/asan/nstrace
lib: build/libnstrace.a

build/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LTO) -MMD -MP -c -o $@ $<

build/asan/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SAN) -MMD -MP -c -o $@ $<

# The BPF backend (tracer/nstrace.bpf.c): clang -target bpf against the
# committed kernel types (tracer/vmlinux/x86/vmlinux.h, CO-RE: the object
# loads on other kernels), its skeleton made by bpftool.  Every machine with
# bpftool, clang and libbpf builds the same object, BTF or not; without them
# the tool is built without it, and --backend bpf says so.  `make vmlinux`
# makes the header again from this machine's kernel.
BPF_OK := $(shell command -v bpftool >/dev/null 2>&1 && \
	command -v clang >/dev/null 2>&1 && [ -f /usr/include/bpf/libbpf.h ] && echo 1)
VMLINUX_H = tracer/vmlinux/x86/vmlinux.h
ifeq ($(BPF_OK),1)
CPPFLAGS += -DNST_BPF -Ibuild/bpf
LDLIBS   += -lbpf
build/bpf/nstrace.bpf.o: tracer/nstrace.bpf.c tracer/bpf_event.h tracer/bpf_recipe.h $(VMLINUX_H)
	@mkdir -p $(@D)
	clang -g -O2 -target bpf -D__TARGET_ARCH_x86 -I. -I$(dir $(VMLINUX_H)) -Wall -Werror -c $< -o $@
build/bpf/nstrace.skel.h: build/bpf/nstrace.bpf.o
	bpftool gen skeleton $< name nstrace_bpf > $@.tmp && mv $@.tmp $@
build/obj/tracer/bpf.o build/asan/obj/tracer/bpf.o build/fuzz/obj/tracer/bpf.o: build/bpf/nstrace.skel.h
endif

.PHONY: vmlinux
vmlinux:
	{ sed -n '1,5p' $(VMLINUX_H) | sed 's/Linux [0-9.]* x86_64/Linux $(shell uname -r | cut -d- -f1) x86_64/'; \
	  bpftool btf dump file /sys/kernel/btf/vmlinux format c; } > $(VMLINUX_H).tmp && mv $(VMLINUX_H).tmp $(VMLINUX_H)

build/libnstrace.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

build/asan/libnstrace.a: $(ALIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

build/nstrace: build/obj/cli/main.o build/libnstrace.a
	$(CC) $(CFLAGS) $(LTO) -o $@ $^ $(LDLIBS)

build/asan/nstrace: build/asan/obj/cli/main.o build/asan/libnstrace.a
	$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(LDLIBS)

# Unit tests link the library: only the modules they use are pulled in.
build/unit/%: build/obj/tests/unit/%.o build/libnstrace.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LTO) -o $@ $^ $(LDLIBS)
build/unit-asan/%: build/asan/obj/tests/unit/%.o build/asan/libnstrace.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(LDLIBS)

units: $(addprefix build/unit/,$(UNITS)) $(addprefix build/unit-asan/,$(UNITS))

# Fixture programs: standalone, plain C.
build/progs/%: tests/progs/%.c tests/progs/common.h
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -Wall -Wextra -Werror -O1 -g -fno-omit-frame-pointer -pthread -o $@ $<

# Like Go code: frame pointers, no DWARF unwind tables to find.
build/progs/fp_stack: tests/progs/fp_stack.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -Wall -Wextra -Werror -O1 -g -fno-omit-frame-pointer \
		-fno-asynchronous-unwind-tables -fno-unwind-tables -Wl,--no-eh-frame-hdr -o $@ $<

progs: $(PROGS)

# The resolver clients of the client matrix (tests/clients/README.md): one
# getaddrinfo program against glibc and, static, against musl; Go's own
# resolver.  Built where their compilers are (scripts/deps.sh test).
clients: build/clients/gai_glibc $(if $(shell command -v musl-gcc),build/clients/gai_musl) \
	$(if $(shell command -v go),build/clients/resolve_go)
build/clients/gai_glibc: tests/clients/gai.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -Wall -Wextra -Werror -O1 -o $@ $<
build/clients/gai_musl: tests/clients/gai.c
	@mkdir -p $(@D)
	musl-gcc -static -std=gnu11 -Wall -Wextra -Werror -O1 -o $@ $<
build/clients/resolve_go: tests/clients/resolve.go
	@mkdir -p $(@D)
	cd tests/clients && GO111MODULE=off GOCACHE=$(CURDIR)/build/gocache GOPATH=$(CURDIR)/build/gopath \
		go build -o $(CURDIR)/$@ resolve.go

# libFuzzer harnesses (fuzz/README.md): clang, ASan+UBSan, every parser of
# untrusted bytes.  Their own object flavour: coverage instrumentation.
FUZZ_CC  = clang
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZERS  = $(patsubst fuzz/%.c,build/fuzz/%,$(wildcard fuzz/fuzz_*.c))
FLIB_SRC = $(LIB_SRC)
FLIB_OBJ = $(FLIB_SRC:%.c=build/fuzz/obj/%.o)

build/fuzz/obj/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) -O1 -g -std=gnu11 -Wall -Wextra -Werror -fno-omit-frame-pointer \
		-fsanitize=fuzzer-no-link $(FUZZ_SAN) -MMD -MP -c -o $@ $<

build/fuzz/libnstrace.a: $(FLIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

build/fuzz/fuzz_%: build/fuzz/obj/fuzz/fuzz_%.o build/fuzz/libnstrace.a
	$(FUZZ_CC) -g -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $^ $(LDLIBS)

fuzz: $(FUZZERS)

# Each harness for longer than make test's bounded run: FUZZ_SECONDS each
# (default 600); what it finds lands in build/fuzz/crash/NAME/.
fuzz-long: progs fuzz
	FUZZ_SECONDS=$(or $(FUZZ_SECONDS),600) sh fuzz/run.sh

# Installs only what is missing (no apt-get at all when nothing is).
deps:
	@sh scripts/deps.sh

# The main job on its built-in default: the article's pattern, live.
demo: deps
	$(MAKE) all progs
	sh tests/demo.sh

# deps runs first and alone: the build may need what it installs.
test: deps
	$(MAKE) all asan progs clients units fuzz
	sh tests/run.sh

clean:
	rm -rf build

# make install [PREFIX=/usr/local] [DESTDIR=]: the tool, its manual page and
# its bash completion.
PREFIX  ?= /usr/local
BINDIR   = $(DESTDIR)$(PREFIX)/bin
MAN1DIR  = $(DESTDIR)$(PREFIX)/share/man/man1
BASHCOMP = $(DESTDIR)$(PREFIX)/share/bash-completion/completions

install: all
	install -D -m 0755 build/nstrace $(BINDIR)/nstrace
	install -D -m 0644 docs/nstrace.1 $(MAN1DIR)/nstrace.1
	install -D -m 0644 scripts/nstrace.bash $(BASHCOMP)/nstrace

uninstall:
	rm -f $(BINDIR)/nstrace $(MAN1DIR)/nstrace.1 $(BASHCOMP)/nstrace

# Benchmarks (not tests): medians of several runs, written to bench/RESULTS.md.
bench: deps
	$(MAKE) all progs build/bench/fwparse build/slowdns
	sh bench/run.sh

# nstrace's own share of a firewall reading (bench/firewall.sh).
build/bench/fwparse: bench/fwparse.c build/libnstrace.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LTO) -o $@ $^ $(LDLIBS)

# A DNS upstream that answers late (bench/replay.sh's third dockerd log).
build/slowdns: bench/slowdns.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $<

# The real-dockerd end-to-end lab alone (make test runs it too).
e2e: deps
	$(MAKE) all progs
	sh tests/e2e/run.sh > build/e2e.log 2>&1; rc=$$?; cat build/e2e.log; \
	p=$$(grep -c '^PASS:' build/e2e.log); f=$$(grep -c '^FAIL:' build/e2e.log); \
	s=$$(grep -c '^SKIP:' build/e2e.log); echo "$$p passed, $$f failed, $$s skipped"; \
	[ $$rc -eq 0 ] && [ $$f -eq 0 ]

-include $(shell find build -name '*.d' 2>/dev/null)
