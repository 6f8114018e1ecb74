# Host unit tests (cmocka, ASan+UBSan) and libFuzzer targets for kernel code that
# also builds on the host. Included by the top-level Makefile; run make from the
# repository root. Everything it writes goes under build/, and every rule waits
# for tools/setup ($(SETUP_STAMP), from the Makefile), which installs cmocka,
# clang and the rest.

HOST_CC ?= gcc
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 30

HOST_TEST_CFLAGS := -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
	-Wall -Wextra -Werror -Iabi -Ikernel/include -DRAE_HOST_TEST -Iservices/vfs \
	-Ilib/librae/include -Itests/services/vfs -Iservices -I$(CONTRACT_INCLUDE)
HOST_TEST_LDLIBS := -lcmocka
HOST_TEST_OBJDIR := build/tests/obj

# Each test binary: its test source, then the kernel sources it exercises.
HOST_TEST_NAMES := format ustar multiboot2 buddy slab direct_map memblock acpi_tables acpi_madt acpi_hpet acpi_mcfg \
	acpi_fadt elf sched_policy handle_table vfs_ramfs vfs_ramfs_memory vfs_tar librae_heap manifest \
	klog console_ldisc sh_parse pci_enum lspci_ids pci_caps acpid_tables acpid_prt contract_decode
HOST_TEST_format_SRCS := tests/kernel/generic/lib/test_format.c kernel/generic/lib/format.c
HOST_TEST_ustar_SRCS := tests/kernel/generic/lib/test_ustar.c kernel/generic/lib/ustar.c \
	kernel/generic/lib/format.c
HOST_TEST_multiboot2_SRCS := tests/kernel/arch/x86_64/boot/test_multiboot2.c \
	kernel/arch/x86_64/boot/multiboot2.c kernel/generic/lib/format.c

HOST_TEST_buddy_SRCS := tests/kernel/generic/mm/test_buddy.c kernel/generic/mm/buddy.c
HOST_TEST_direct_map_SRCS := tests/kernel/generic/mm/test_direct_map.c kernel/generic/mm/direct_map.c
HOST_TEST_memblock_SRCS := tests/kernel/generic/mm/test_memblock.c kernel/generic/mm/memblock.c \
	kernel/generic/mm/direct_map.c
HOST_TEST_slab_SRCS := tests/kernel/generic/mm/test_slab.c kernel/generic/mm/slab.c \
	kernel/generic/mm/kmalloc.c kernel/generic/mm/buddy.c

HOST_TEST_sched_policy_SRCS := tests/kernel/generic/sched/test_policy.c \
	kernel/generic/sched/policy.c

# rae-vfsd's RAMFS and tar loader, and librae's heap (services and libraries
# build for the host with RAE_HOST_TEST: libc's memory routines and malloc).
HOST_TEST_vfs_ramfs_SRCS := tests/services/vfs/test_ramfs.c services/vfs/ramfs.c
HOST_TEST_vfs_tar_SRCS := tests/services/vfs/test_tar.c services/vfs/tar.c services/vfs/ramfs.c
HOST_TEST_librae_heap_SRCS := tests/lib/librae/test_heap.c lib/librae/heap.c
# The RAMFS over librae's heap, as in vfsd: does deleting give pages back?
HOST_TEST_vfs_ramfs_memory_SRCS := tests/services/vfs/test_ramfs_memory.c \
	tests/services/vfs/ramfs_on_heap.c lib/librae/heap.c
HOST_TEST_klog_SRCS := tests/kernel/generic/console/test_klog.c kernel/generic/console/klog.c
HOST_TEST_console_ldisc_SRCS := tests/services/console/test_ldisc.c services/console/ldisc.c \
	services/console/keyboard.c

# The PCI service's enumeration against a simulated configuration space.
HOST_TEST_pci_enum_SRCS := tests/services/pci/test_pci_enum.c services/pci/pci_enum.c \
	kernel/generic/pci/pci_bars.c

# lspci's reader of the packed pci.ids table: lspci.c included whole.
HOST_TEST_lspci_ids_SRCS := tests/apps/coreutils/test_lspci_ids.c

# The ACPI service's own parsers: the kernel's table copy and ACPICA's _PRT records.
HOST_TEST_acpid_tables_SRCS := tests/services/acpi/test_tables.c services/acpi/tables.c
HOST_TEST_acpid_prt_SRCS := tests/services/acpi/test_prt.c services/acpi/prt.c

# The decoders, dispatchers and client stubs contract_gen.py writes (build/gen/contracts).
CONTRACT_SERVER_SRCS := $(patsubst %,$(CONTRACT_DIR)/%_server.c,$(CONTRACTS))
HOST_TEST_contract_decode_SRCS := tests/services/contracts/test_contract_decode.c \
	$(CONTRACT_SERVER_SRCS) $(patsubst %,$(CONTRACT_DIR)/%_client.c,$(CONTRACTS))

# rsh's parser: the test includes apps/shell/sh.c (plain POSIX) whole.
HOST_TEST_sh_parse_SRCS := tests/apps/shell/test_sh_parse.c

HOST_TEST_handle_table_SRCS := tests/kernel/generic/object/test_handle_table.c \
	kernel/generic/object/handle_table.c kernel/generic/object/object.c

# The ACPI parsers all lean on tables.c (header check, checksum); the set test uses them all.
ACPI_PARSER_SRCS := kernel/generic/acpi/madt.c kernel/generic/acpi/hpet.c \
	kernel/generic/acpi/mcfg.c kernel/generic/acpi/fadt.c
ACPI_BASE_SRCS := kernel/generic/acpi/tables.c kernel/generic/lib/format.c
HOST_TEST_acpi_tables_SRCS := tests/kernel/generic/acpi/test_tables.c $(ACPI_BASE_SRCS) \
	$(ACPI_PARSER_SRCS)
HOST_TEST_acpi_madt_SRCS := tests/kernel/generic/acpi/test_madt.c kernel/generic/acpi/madt.c \
	$(ACPI_BASE_SRCS)
HOST_TEST_acpi_hpet_SRCS := tests/kernel/generic/acpi/test_hpet.c kernel/generic/acpi/hpet.c \
	$(ACPI_BASE_SRCS)
HOST_TEST_acpi_mcfg_SRCS := tests/kernel/generic/acpi/test_mcfg.c kernel/generic/acpi/mcfg.c \
	$(ACPI_BASE_SRCS)
HOST_TEST_acpi_fadt_SRCS := tests/kernel/generic/acpi/test_fadt.c kernel/generic/acpi/fadt.c \
	$(ACPI_BASE_SRCS)
HOST_TEST_manifest_SRCS := tests/services/manager/test_manifest.c services/manager/manifest.c \
	services/manager/plan.c kernel/generic/lib/format.c
HOST_TEST_pci_caps_SRCS := tests/kernel/generic/pci/test_pci_caps.c kernel/generic/pci/pci_caps.c
HOST_TEST_elf_SRCS := tests/kernel/generic/proc/test_elf.c kernel/generic/proc/elf.c \
	kernel/generic/lib/format.c

HOST_TEST_BINS := $(addprefix build/tests/host/test_,$(HOST_TEST_NAMES))
HOST_TEST_OBJS := $(patsubst %.c,$(HOST_TEST_OBJDIR)/%.o, \
	$(sort $(foreach t,$(HOST_TEST_NAMES),$(HOST_TEST_$(t)_SRCS))))

.PHONY: host-tests fuzz

host-tests: $(HOST_TEST_BINS)

# A static pattern rule, so it wins over any generic build/%.o rule for the kernel.
$(HOST_TEST_OBJS): $(HOST_TEST_OBJDIR)/%.o: %.c | $(SETUP_STAMP) $(CONTRACT_HEADERS)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_TEST_CFLAGS) -MMD -MP -c $< -o $@

define HOST_TEST_LINK_RULE
build/tests/host/test_$(1): $$(patsubst %.c,$$(HOST_TEST_OBJDIR)/%.o,$$(HOST_TEST_$(1)_SRCS)) | $(SETUP_STAMP)
	@mkdir -p $$(@D)
	$$(HOST_CC) $$(HOST_TEST_CFLAGS) $$^ -o $$@ $$(HOST_TEST_LDLIBS)
endef
$(foreach t,$(HOST_TEST_NAMES),$(eval $(call HOST_TEST_LINK_RULE,$(t))))

-include $(HOST_TEST_OBJS:.o=.d)

# libFuzzer: one binary per parser, each run for FUZZ_SECONDS on its own corpus
# (build/fuzz/corpus/<name>, kept between runs) plus a seed written here.
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-Wall -Wextra -Werror -Iabi -Ikernel/include -DRAE_HOST_TEST -Iservices/vfs \
	-Itests/services/vfs -Iservices -Itests/services/pci -Itests/apps/coreutils -Ilib/librae/include \
	-I$(CONTRACT_INCLUDE)
FUZZ_NAMES := ustar multiboot2 acpi_madt acpi_tables elf vfs_tar pci_caps lspci_ids kernel_pci_caps acpid_prt \
	contract_decode
FUZZ_ustar_SRCS := tests/fuzz/fuzz_ustar.c kernel/generic/lib/ustar.c kernel/generic/lib/format.c
FUZZ_multiboot2_SRCS := tests/fuzz/fuzz_multiboot2.c kernel/arch/x86_64/boot/multiboot2.c \
	kernel/generic/lib/format.c
FUZZ_acpi_madt_SRCS := tests/fuzz/fuzz_acpi_madt.c kernel/generic/acpi/madt.c $(ACPI_BASE_SRCS)
FUZZ_acpi_tables_SRCS := tests/fuzz/fuzz_acpi_tables.c $(ACPI_BASE_SRCS) $(ACPI_PARSER_SRCS)
FUZZ_elf_SRCS := tests/fuzz/fuzz_elf.c kernel/generic/proc/elf.c kernel/generic/lib/format.c
FUZZ_vfs_tar_SRCS := tests/fuzz/fuzz_vfs_tar.c services/vfs/tar.c services/vfs/ramfs.c
FUZZ_pci_caps_SRCS := tests/fuzz/fuzz_pci_caps.c services/pci/pci_enum.c \
	kernel/generic/pci/pci_bars.c
FUZZ_lspci_ids_SRCS := tests/fuzz/fuzz_lspci_ids.c
FUZZ_kernel_pci_caps_SRCS := tests/fuzz/fuzz_kernel_pci_caps.c kernel/generic/pci/pci_caps.c

FUZZ_acpid_prt_SRCS := tests/fuzz/fuzz_acpid_prt.c services/acpi/prt.c services/acpi/tables.c

FUZZ_contract_decode_SRCS := tests/fuzz/fuzz_contract_decode.c $(CONTRACT_SERVER_SRCS)
FUZZ_BINS := $(addprefix build/fuzz/fuzz_,$(FUZZ_NAMES))

# A minimal valid multiboot2 list: header, cmdline "a", a one-entry memory map, END.
FUZZ_MB2_SEED := \110\0\0\0\0\0\0\0\1\0\0\0\12\0\0\0\141\0\0\0\0\0\0\0\6\0\0\0\50\0\0\0\30\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\374\11\0\0\0\0\0\1\0\0\0\0\0\0\0\0\0\0\0\10\0\0\0

# A QEMU-like MADT: 2 CPUs, one IOAPIC, five overrides, a LINT1 NMI (checksum correct).
FUZZ_MADT_SEED := \101\120\111\103\200\0\0\0\5\363\122\101\105\105\116\40\122\101\105\105\116\124\123\124\1\0\0\0\122\101\105\40\1\0\0\0\0\0\340\376\1\0\0\0\0\10\0\0\1\0\0\0\0\10\1\1\1\0\0\0\1\14\0\0\0\0\300\376\0\0\0\0\2\12\0\0\2\0\0\0\0\0\2\12\0\5\5\0\0\0\15\0\2\12\0\11\11\0\0\0\15\0\2\12\0\12\12\0\0\0\15\0\2\12\0\13\13\0\0\0\15\0\4\6\377\0\0\1

# A static ET_EXEC: R+X text holding the headers, a bss-only R+W segment, PT_TLS, PT_GNU_STACK.
FUZZ_ELF_SEED := \177\105\114\106\2\1\1\0\0\0\0\0\0\0\0\0\2\0\76\0\1\0\0\0\0\1\100\0\0\0\0\0\100\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\100\0\70\0\4\0\0\0\0\0\0\0\1\0\0\0\5\0\0\0\0\0\0\0\0\0\0\0\0\0\100\0\0\0\0\0\0\0\100\0\0\0\0\0\40\1\0\0\0\0\0\0\40\1\0\0\0\0\0\0\0\20\0\0\0\0\0\0\1\0\0\0\6\0\0\0\0\0\0\0\0\0\0\0\0\20\100\0\0\0\0\0\0\20\100\0\0\0\0\0\0\0\0\0\0\0\0\0\0\20\0\0\0\0\0\0\0\20\0\0\0\0\0\0\7\0\0\0\4\0\0\0\0\1\0\0\0\0\0\0\0\1\100\0\0\0\0\0\0\1\100\0\0\0\0\0\20\0\0\0\0\0\0\0\40\0\0\0\0\0\0\0\10\0\0\0\0\0\0\0\121\345\164\144\6\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\20\0\0\0\0\0\0\0

# The kernel's capability walk (kernel_pci_caps): a function with MSI (64-bit, masks) at 0x40,
# MSI-X at 0x50 and PCI Express with FLR at 0x60.
FUZZ_PCI_SEED := \64\22\350\21\0\0\20\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\100\0\0\0\0\0\0\0\0\0\0\0\5\120\200\1\0\0\0\0\0\0\0\0\0\0\0\0\21\140\7\0\0\40\0\0\0\0\0\0\0\0\0\0\20\0\0\0\0\0\0\20\0\0\0\0\0\0\0\0

define FUZZ_BUILD_RULE
build/fuzz/fuzz_$(1): $$(FUZZ_$(1)_SRCS) | $(SETUP_STAMP) $(CONTRACT_HEADERS)
	@mkdir -p $$(@D)
	$$(FUZZ_CC) $$(FUZZ_CFLAGS) $$^ -o $$@
endef
$(foreach f,$(FUZZ_NAMES),$(eval $(call FUZZ_BUILD_RULE,$(f))))

build/fuzz/seed/ustar/sample.tar: tests/fuzz/fuzz_ustar.c tests/fuzz/fuzz_multiboot2.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	tar --format=ustar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
		-cf $@ tests/fuzz

# The malformed test archive of the initrd, good and bad entries together.
build/fuzz/seed/vfs_tar/malformed.tar: tools/build/mkbadtar.py | $(SETUP_STAMP)
	@mkdir -p $(@D)
	/usr/bin/python3 tools/build/mkbadtar.py $@

build/fuzz/seed/multiboot2/minimal.bin: | $(SETUP_STAMP)
	@mkdir -p $(@D)
	printf '$(FUZZ_MB2_SEED)' >$@

build/fuzz/seed/acpi_madt/qemu.bin: | $(SETUP_STAMP)
	@mkdir -p $(@D)
	printf '$(FUZZ_MADT_SEED)' >$@

# fuzz_acpi_tables XORs its input over a built-in valid machine: one flags byte
# (checksum repair on) and no differences is that machine.
build/fuzz/seed/acpi_tables/base.bin: | $(SETUP_STAMP)
	@mkdir -p $(@D)
	printf '\1' >$@

# A function with a PCI Express, MSI-X and MSI capability list, through ECAM.
build/fuzz/seed/pci_caps/device.bin: | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(HOSTPY) -c 'import struct,sys; s=bytearray(b"\xff"*4096); s[0:64]=bytes(64); \
		s[0:4]=struct.pack("<I",0x10411af4); s[4:8]=struct.pack("<I",0x00100007); \
		s[0x34]=0x40; s[0x40:0x44]=struct.pack("<I",0x00025010); \
		s[0x50:0x5c]=struct.pack("<III",0x00036011,1,0x801); s[0x60:0x64]=struct.pack("<I",0x00800005); \
		s[0x100:0x104]=struct.pack("<I",0x14010001); s[0x140:0x144]=struct.pack("<I",0x00010003); \
		sys.stdout.buffer.write(b"\x7f"+bytes(s))' >$@

# The packed table as the image carries it, cut to three vendors (Red Hat's virtio and QEMU
# devices, and 1234, which pci.ids does not know): the whole one makes a run take 50 ms.
build/fuzz/seed/lspci_ids/pci-ids.bin: tools/build/pciids.py | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(HOSTPY) tools/build/pciids.py $(PCI_IDS) $@ 1af4,1b36,1234

# fuzz_acpid_prt: two _PRT records (a GSI, a link) and their end; a table copy of an RSDP
# stand-in and one 36-byte table at 0x1000, as the kernel lays it out (abi/rae/acpi.h).
build/fuzz/seed/acpid_prt/prt.bin: | $(SETUP_STAMP)
	@mkdir -p $(@D)
	/usr/bin/python3 -c 'import struct,sys; r=lambda d,p,i,s: (lambda b: struct.pack("<IIQI",(20+len(b)+7)//8*8,p,d<<16|0xffff,i)+b+bytes((20+len(b)+7)//8*8-20-len(b)))(s+b"\0"); \
		sys.stdout.buffer.write(r(1,0,16,b"")+r(31,3,0,b"\\_SB_.LNKA")+bytes(4))' >$@

build/fuzz/seed/acpid_prt/copy.bin: | $(SETUP_STAMP)
	@mkdir -p $(@D)
	/usr/bin/python3 -c 'import struct,sys; h=16+2*24; sys.stdout.buffer.write(struct.pack("<IIII",0x53495041,2,h+76,0)+ \
		struct.pack("<QII4sI",0,h,36,b"RSD ",0)+struct.pack("<QII4sI",0x1000,h+36+4,36,b"DSDT",0)+bytes(36)+bytes(4)+bytes(36))' >$@

# vfs, RENAME (14), no handles, w0 = 3, then "a/bc/d".
build/fuzz/seed/contract_decode/rename.bin: | $(SETUP_STAMP)
	@mkdir -p $(@D)
	printf '\0\16\0\3\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0a/bc/d' >$@

build/fuzz/seed/elf/static.elf: | $(SETUP_STAMP)
	@mkdir -p $(@D)
	printf '$(FUZZ_ELF_SEED)' >$@

build/fuzz/seed/kernel_pci_caps/function.bin: | $(SETUP_STAMP)
	@mkdir -p $(@D)
	printf '$(FUZZ_PCI_SEED)' >$@

fuzz: $(FUZZ_BINS) build/fuzz/seed/ustar/sample.tar build/fuzz/seed/multiboot2/minimal.bin \
		build/fuzz/seed/acpi_madt/qemu.bin build/fuzz/seed/acpi_tables/base.bin \
		build/fuzz/seed/elf/static.elf build/fuzz/seed/vfs_tar/malformed.tar \
		build/fuzz/seed/pci_caps/device.bin build/fuzz/seed/lspci_ids/pci-ids.bin \
		build/fuzz/seed/kernel_pci_caps/function.bin \
		build/fuzz/seed/acpid_prt/prt.bin build/fuzz/seed/acpid_prt/copy.bin \
		build/fuzz/seed/contract_decode/rename.bin
	@set -e; for f in $(FUZZ_NAMES); do \
		mkdir -p build/fuzz/corpus/$$f build/fuzz/artifacts/$$f; \
		echo "fuzz: $$f for $(FUZZ_SECONDS)s"; \
		build/fuzz/fuzz_$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-artifact_prefix=build/fuzz/artifacts/$$f/ \
			build/fuzz/corpus/$$f build/fuzz/seed/$$f; \
	done

# Host benchmarks: kernel sources at -O2 without sanitizers, timed on the host.
# build/bench/host holds only the binaries; `make bench` runs every one there.
HOST_BENCH_CFLAGS := -g -O2 -Wall -Wextra -Werror -Iabi -Ikernel/include
HOST_BENCH_OBJDIR := build/bench/obj
HOST_BENCH_NAMES := mm
HOST_BENCH_mm_SRCS := tests/bench/bench_mm.c kernel/generic/mm/buddy.c kernel/generic/mm/slab.c \
	kernel/generic/mm/kmalloc.c

HOST_BENCH_BINS := $(addprefix build/bench/host/bench_,$(HOST_BENCH_NAMES))
HOST_BENCH_OBJS := $(patsubst %.c,$(HOST_BENCH_OBJDIR)/%.o, \
	$(sort $(foreach b,$(HOST_BENCH_NAMES),$(HOST_BENCH_$(b)_SRCS))))

.PHONY: host-bench

host-bench: $(HOST_BENCH_BINS)

$(HOST_BENCH_OBJS): $(HOST_BENCH_OBJDIR)/%.o: %.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_BENCH_CFLAGS) -MMD -MP -c $< -o $@

define HOST_BENCH_LINK_RULE
build/bench/host/bench_$(1): $$(patsubst %.c,$$(HOST_BENCH_OBJDIR)/%.o,$$(HOST_BENCH_$(1)_SRCS)) | $(SETUP_STAMP)
	@mkdir -p $$(@D)
	$$(HOST_CC) $$(HOST_BENCH_CFLAGS) $$^ -o $$@
endef
$(foreach b,$(HOST_BENCH_NAMES),$(eval $(call HOST_BENCH_LINK_RULE,$(b))))

-include $(HOST_BENCH_OBJS:.o=.d)
