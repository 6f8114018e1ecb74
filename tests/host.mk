# Host unit tests (cmocka, ASan+UBSan) and libFuzzer targets for kernel code that
# also builds on the host. Included by the top-level Makefile; run make from the
# repository root. Everything it writes goes under build/.

HOST_CC ?= gcc
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 30

HOST_TEST_CFLAGS := -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
	-Wall -Wextra -Werror -Iabi -Ikernel/include
HOST_TEST_LDLIBS := -lcmocka
HOST_TEST_OBJDIR := build/tests/obj

# Each test binary: its test source, then the kernel sources it exercises.
HOST_TEST_NAMES := format ustar multiboot2 buddy slab
HOST_TEST_format_SRCS := tests/kernel/generic/lib/test_format.c kernel/generic/lib/format.c
HOST_TEST_ustar_SRCS := tests/kernel/generic/lib/test_ustar.c kernel/generic/lib/ustar.c \
	kernel/generic/lib/format.c
HOST_TEST_multiboot2_SRCS := tests/kernel/arch/x86_64/boot/test_multiboot2.c \
	kernel/arch/x86_64/boot/multiboot2.c kernel/generic/lib/format.c

HOST_TEST_buddy_SRCS := tests/kernel/generic/mm/test_buddy.c kernel/generic/mm/buddy.c
HOST_TEST_slab_SRCS := tests/kernel/generic/mm/test_slab.c kernel/generic/mm/slab.c \
	kernel/generic/mm/kmalloc.c kernel/generic/mm/buddy.c

HOST_TEST_BINS := $(addprefix build/tests/host/test_,$(HOST_TEST_NAMES))
HOST_TEST_OBJS := $(patsubst %.c,$(HOST_TEST_OBJDIR)/%.o, \
	$(sort $(foreach t,$(HOST_TEST_NAMES),$(HOST_TEST_$(t)_SRCS))))

.PHONY: host-tests fuzz

host-tests: $(HOST_TEST_BINS)

# A static pattern rule, so it wins over any generic build/%.o rule for the kernel.
$(HOST_TEST_OBJS): $(HOST_TEST_OBJDIR)/%.o: %.c
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_TEST_CFLAGS) -MMD -MP -c $< -o $@

define HOST_TEST_LINK_RULE
build/tests/host/test_$(1): $$(patsubst %.c,$$(HOST_TEST_OBJDIR)/%.o,$$(HOST_TEST_$(1)_SRCS))
	@mkdir -p $$(@D)
	$$(HOST_CC) $$(HOST_TEST_CFLAGS) $$^ -o $$@ $$(HOST_TEST_LDLIBS)
endef
$(foreach t,$(HOST_TEST_NAMES),$(eval $(call HOST_TEST_LINK_RULE,$(t))))

-include $(HOST_TEST_OBJS:.o=.d)

# libFuzzer: one binary per parser, each run for FUZZ_SECONDS on its own corpus
# (build/fuzz/corpus/<name>, kept between runs) plus a seed written here.
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-Wall -Wextra -Werror -Iabi -Ikernel/include
FUZZ_NAMES := ustar multiboot2
FUZZ_ustar_SRCS := tests/fuzz/fuzz_ustar.c kernel/generic/lib/ustar.c kernel/generic/lib/format.c
FUZZ_multiboot2_SRCS := tests/fuzz/fuzz_multiboot2.c kernel/arch/x86_64/boot/multiboot2.c \
	kernel/generic/lib/format.c
FUZZ_BINS := $(addprefix build/fuzz/fuzz_,$(FUZZ_NAMES))

# A minimal valid multiboot2 list: header, cmdline "a", a one-entry memory map, END.
FUZZ_MB2_SEED := \110\0\0\0\0\0\0\0\1\0\0\0\12\0\0\0\141\0\0\0\0\0\0\0\6\0\0\0\50\0\0\0\30\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\374\11\0\0\0\0\0\1\0\0\0\0\0\0\0\0\0\0\0\10\0\0\0

define FUZZ_BUILD_RULE
build/fuzz/fuzz_$(1): $$(FUZZ_$(1)_SRCS)
	@mkdir -p $$(@D)
	$$(FUZZ_CC) $$(FUZZ_CFLAGS) $$^ -o $$@
endef
$(foreach f,$(FUZZ_NAMES),$(eval $(call FUZZ_BUILD_RULE,$(f))))

build/fuzz/seed/ustar/sample.tar: tests/fuzz/fuzz_ustar.c tests/fuzz/fuzz_multiboot2.c
	@mkdir -p $(@D)
	tar --format=ustar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
		-cf $@ tests/fuzz

build/fuzz/seed/multiboot2/minimal.bin:
	@mkdir -p $(@D)
	printf '$(FUZZ_MB2_SEED)' >$@

fuzz: $(FUZZ_BINS) build/fuzz/seed/ustar/sample.tar build/fuzz/seed/multiboot2/minimal.bin
	@set -e; for f in $(FUZZ_NAMES); do \
		mkdir -p build/fuzz/corpus/$$f build/fuzz/artifacts/$$f; \
		echo "fuzz: $$f for $(FUZZ_SECONDS)s"; \
		build/fuzz/fuzz_$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-artifact_prefix=build/fuzz/artifacts/$$f/ \
			build/fuzz/corpus/$$f build/fuzz/seed/$$f; \
	done
