# RaeenOS top-level build. `make run` boots it, `make test` runs every test.
# Everything generated goes to build/.

BUILD := build
CC := gcc
LD := ld
HOSTPY := /usr/bin/python3
FONT := /usr/share/consolefonts/Lat15-Terminus16.psf.gz

KERNEL_ELF := $(BUILD)/raecore.elf
# The initrd a user boots (init, the services, the shell, the commands,
# lua) and the one the tests boot: the same files plus the test programs.
INITRD := $(BUILD)/initrd.tar
TEST_INITRD := $(BUILD)/initrd-test.tar
ISO := $(BUILD)/raeenos.iso
# tools/setup installs the packages the build needs. Every rule waits for it:
# its target has $(SETUP_STAMP) among its prerequisites (order-only, or through
# one it has), and nothing make runs while reading this file needs a package
# (tools/test/test_setup_order.py checks both in a fresh clone).
SETUP_STAMP := $(BUILD)/.setup-done

# make run knobs: kernel command line, firmware (bios|uefi), machine, CPU.
ARGS ?=
FIRMWARE ?= bios
MACHINE ?= q35
CPU ?= max
SMP ?= 1
MEM ?= 512M

# DEBUG=1 (the default) turns on the heap's poisoning and red zones.
DEBUG ?= 1

# The compiler's own headers (stddef.h, stdint.h), asked for the first time a
# recipe needs them, so after tools/setup has installed the compiler.
CC_INCLUDE = $(eval CC_INCLUDE := $$(shell $$(CC) -print-file-name=include))$(CC_INCLUDE)

KERNEL_CFLAGS = -DRAE_KERNEL=1 -DRAE_DEBUG=$(DEBUG) -std=gnu11 -O2 -g -ffreestanding -nostdinc \
	-isystem $(CC_INCLUDE) -isystem kernel/include/klibc \
	-Iabi -Ikernel/include -I$(BUILD)/gen \
	-mno-red-zone -mgeneral-regs-only -fpie -fvisibility=hidden \
	-fno-stack-protector -fno-omit-frame-pointer -fno-optimize-sibling-calls -fno-schedule-insns2 -fno-delete-null-pointer-checks \
	-fno-strict-aliasing -fno-asynchronous-unwind-tables -fno-common \
	-Wall -Wextra -Werror -MMD -MP
KERNEL_LDFLAGS := -nostdlib -pie --no-dynamic-linker -z text -z defs --fatal-warnings -z max-page-size=0x1000 -z noexecstack --no-warn-rwx-segments \
	-T kernel/arch/x86_64/linker.ld

KERNEL_SRCS := $(shell find kernel -name '*.c' -o -name '*.S' | sort)
KERNEL_OBJS := $(patsubst %,$(BUILD)/%.o,$(KERNEL_SRCS)) $(BUILD)/gen/font.c.o

.PHONY: all iso run test lint clean setup kernel host-tests fuzz user bench musl sysroot ports fuzz-os
all: iso

setup: $(SETUP_STAMP)
$(SETUP_STAMP): tools/setup
	@mkdir -p $(BUILD)
	tools/setup
	@touch $@

# --- kernel ---------------------------------------------------------------

$(BUILD)/%.c.o: %.c Makefile | $(SETUP_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(KERNEL_CFLAGS) -c $< -o $@

$(BUILD)/%.S.o: %.S Makefile | $(SETUP_STAMP)
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	@$(CC) $(KERNEL_CFLAGS) -c $< -o $@

$(BUILD)/gen/font.c: tools/build/psf2c.py | $(SETUP_STAMP)
	@mkdir -p $(dir $@)
	$(HOSTPY) tools/build/psf2c.py $(FONT) $@

$(BUILD)/gen/font.c.o: $(BUILD)/gen/font.c
	@echo "  CC      $<"
	@$(CC) $(KERNEL_CFLAGS) -c $< -o $@

# The version header is rewritten (at parse time) only when the git revision
# changes, so main.c is recompiled exactly then.
RAE_REV := $(shell rev=$$(git rev-parse --short HEAD 2>/dev/null || echo unknown); \
	git diff --quiet HEAD -- kernel abi 2>/dev/null || rev="$$rev+"; echo $$rev)
$(shell mkdir -p $(BUILD)/gen; line='#define RAE_GIT_REV "$(RAE_REV)"'; \
	[ -f $(BUILD)/gen/rae_version.h ] && [ "$$(cat $(BUILD)/gen/rae_version.h)" = "$$line" ] \
	|| echo "$$line" > $(BUILD)/gen/rae_version.h)
$(BUILD)/kernel/generic/main.c.o: $(BUILD)/gen/rae_version.h

# Two links: the first has an empty symbol table; its symbols become the
# table of the second. .ksyms lies after everything else, so adding it moves
# no code; the recipe checks that.
$(BUILD)/kernel/ksyms_empty.S: tools/build/ksyms.py | $(SETUP_STAMP)
	@mkdir -p $(dir $@)
	$(HOSTPY) tools/build/ksyms.py --empty $@

$(BUILD)/kernel/raecore.pass1.elf: $(KERNEL_OBJS) $(BUILD)/kernel/ksyms_empty.S.o kernel/arch/x86_64/linker.ld
	@echo "  LD      $@"
	@$(LD) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS) $(BUILD)/kernel/ksyms_empty.S.o

$(BUILD)/kernel/ksyms.S: $(BUILD)/kernel/raecore.pass1.elf tools/build/ksyms.py
	@echo "  KSYMS   $@"
	@nm -n --defined-only $< > $(BUILD)/kernel/raecore.pass1.nm
	@$(HOSTPY) tools/build/ksyms.py $(BUILD)/kernel/raecore.pass1.nm $@

$(BUILD)/kernel/%.S.o: $(BUILD)/kernel/%.S
	@echo "  AS      $<"
	@$(CC) $(KERNEL_CFLAGS) -c $< -o $@

$(KERNEL_ELF): $(KERNEL_OBJS) $(BUILD)/kernel/ksyms.S.o kernel/arch/x86_64/linker.ld
	@echo "  LD      $@"
	@$(LD) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS) $(BUILD)/kernel/ksyms.S.o
	@$(HOSTPY) tools/build/elf_relocs_as_data.py $@
	@nm -n --defined-only $@ | grep -i ' t ' > $(BUILD)/kernel/raecore.final.text.nm
	@grep -i ' t ' $(BUILD)/kernel/raecore.pass1.nm | cmp -s - $(BUILD)/kernel/raecore.final.text.nm \
		|| { echo "ksyms: text moved between the two links" >&2; rm -f $@; exit 1; }

kernel: $(KERNEL_ELF)

# --- service contracts -----------------------------------------------------

# Each services/contracts/<name>.contract is a protocol; tools/build/contract_gen.py
# writes its header (<rae/<name>_contract.h>), client stubs (linked into librae
# and the POSIX runtime) and server side (linked into the service that answers
# it, CONTRACT_SERVER_<name>). docs/contracts/<name>.md is checked in and
# compared by tools/test/test_contract_gen.py (docs/contracts.md).
CONTRACTS := $(patsubst services/contracts/%.contract,%,$(wildcard services/contracts/*.contract))
CONTRACT_GEN := tools/build/contract_gen.py
CONTRACT_DIR := $(BUILD)/gen/contracts
CONTRACT_INCLUDE := $(CONTRACT_DIR)/include
CONTRACT_HEADERS := $(patsubst %,$(CONTRACT_INCLUDE)/rae/%_contract.h,$(CONTRACTS))
CONTRACT_SERVER_vfs := vfs
CONTRACT_SERVER_console := console
CONTRACT_SERVER_names := manager

$(CONTRACT_INCLUDE)/rae/%_contract.h $(CONTRACT_DIR)/%_client.c $(CONTRACT_DIR)/%_server.c: \
		services/contracts/%.contract $(CONTRACT_GEN) | $(SETUP_STAMP)
	@echo "  CONTRACT $<"
	@$(HOSTPY) $(CONTRACT_GEN) $< --header $(CONTRACT_INCLUDE)/rae/$*_contract.h \
		--client $(CONTRACT_DIR)/$*_client.c --server $(CONTRACT_DIR)/$*_server.c

# The client stubs are many small functions every program with files or a
# console links, and never a loop: -Os keeps them a quarter smaller.
contract_opt = $(if $(filter %_client,$(basename $(notdir $(1)))),-Os)

$(BUILD)/user/contracts/%.o: $(CONTRACT_DIR)/%.c $(CONTRACT_HEADERS) Makefile | $(SETUP_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(USER_CFLAGS) $(USER_KLIB_CFLAGS) $(call contract_opt,$<) -c $< -o $@

# --- user programs ---------------------------------------------------------

# Static position-independent executables without a C library yet: librae's
# crt0 applies their relocations; the kernel maps them at a random base.
USER_CFLAGS = -std=gnu11 -O2 -g -ffreestanding -nostdinc \
	-isystem $(CC_INCLUDE) -Iabi -Ilib/librae/include -I$(CONTRACT_INCLUDE) \
	-fpie -fvisibility=hidden -fno-stack-protector -fno-omit-frame-pointer \
	-Wall -Wextra -Werror -MMD -MP
USER_LDFLAGS := -nostdlib -pie --no-dynamic-linker -z text -z noexecstack \
	-z separate-code -z max-page-size=0x1000 --fatal-warnings
# crt0 goes into every program; the rest of librae is an archive, so a
# program links only what it uses. librae's memory and string routines are
# the kernel's (kernel/generic/lib/string.c): one implementation,
# freestanding on both sides. Other pure kernel library code (printf-style
# formatting, the USTAR reader) is built for user programs too, as an
# archive that services and programs link (lib/format.h, lib/ustar.h).
USER_KLIB_CFLAGS := -Ikernel/include -isystem kernel/include/klibc
LIBRAE_CRT0 := $(BUILD)/user/lib/crt0.o
LIBRAE_A := $(BUILD)/user/lib/librae.a
LIBRAE_SRCS := $(filter-out lib/librae/crt0.c,$(wildcard lib/librae/*.c))
LIBRAE_OBJS := $(patsubst lib/librae/%.c,$(BUILD)/user/lib/%.o,$(LIBRAE_SRCS)) \
	$(BUILD)/user/klib/string.o $(patsubst %,$(BUILD)/user/contracts/%_client.o,$(CONTRACTS))
USER_KLIB_A := $(BUILD)/user/klib/libklib.a
USER_PROGRAMS := $(patsubst apps/tests/%.c,%,$(wildcard apps/tests/*.c))
# Programs and files only the tests use go to TEST_ROOT, packed into the
# test initrd alone; build/user/root is the system a user boots.
TEST_ROOT := $(BUILD)/user/test-root
# Each services/<name>/ is one program from all its .c files: bin/<name>d,
# except the service manager, which is the first process: bin/init.
SERVICES := $(sort $(notdir $(patsubst %/,%,$(dir $(wildcard services/*/*.c)))))
service_bin = $(BUILD)/user/root/bin/$(if $(filter manager,$(1)),init,$(1)d)
SERVICE_BINS := $(foreach s,$(SERVICES),$(call service_bin,$(s)))
# Tools that come with a service: services/<name>/tools/<tool>.c is bin/<tool>.
SERVICE_TOOL_BINS := $(patsubst %.c,$(BUILD)/user/root/bin/%,$(notdir $(wildcard services/*/tools/*.c)))
TEST_BINS := $(patsubst %,$(TEST_ROOT)/bin/%,$(USER_PROGRAMS))
USER_BINS := $(SERVICE_BINS) $(SERVICE_TOOL_BINS)
LIBC_BINS := $(patsubst apps/libc/%.c,$(TEST_ROOT)/bin/%,$(wildcard apps/libc/*.c))
# The commands: each apps/coreutils/<name>.c is bin/<name>, and the shell
# (apps/shell/sh.c) is bin/sh; C programs like apps/libc's.
COREUTILS_BINS := $(patsubst apps/coreutils/%.c,$(BUILD)/user/root/bin/%,$(wildcard apps/coreutils/*.c))
SHELL_BIN := $(BUILD)/user/root/bin/sh
COMMAND_BINS := $(COREUTILS_BINS) $(SHELL_BIN)

$(BUILD)/user/lib/%.o: lib/librae/%.c Makefile | $(SETUP_STAMP) $(CONTRACT_HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(USER_CFLAGS) $(USER_KLIB_CFLAGS) -c $< -o $@

$(BUILD)/user/klib/%.o: kernel/generic/lib/%.c Makefile | $(SETUP_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC      $< (user)"
	@$(CC) $(USER_CFLAGS) $(USER_KLIB_CFLAGS) -c $< -o $@

$(USER_KLIB_A): $(BUILD)/user/klib/format.o $(BUILD)/user/klib/ustar.o
	@rm -f $@
	@ar rcs $@ $^

$(LIBRAE_A): $(LIBRAE_OBJS)
	@rm -f $@
	@echo "  AR      $@"
	@ar rcs $@ $^

$(BUILD)/user/apps/%.o: apps/tests/%.c Makefile | $(SETUP_STAMP) $(CONTRACT_HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(USER_CFLAGS) $(USER_KLIB_CFLAGS) -c $< -o $@

# Service sources compile with their own directory on the include path and
# SERVICE_CFLAGS_<name>; SERVICE_EXTRA_OBJS_<name> are linked in too
# (objects and archives).
$(BUILD)/user/services/%.o: services/%.c Makefile | $(SETUP_STAMP) $(CONTRACT_HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(USER_CFLAGS) $(USER_KLIB_CFLAGS) -I$(dir $<) \
		$(SERVICE_CFLAGS_$(firstword $(subst /, ,$*))) -c $< -o $@

$(TEST_ROOT)/bin/%: $(BUILD)/user/apps/%.o $(LIBRAE_CRT0) $(LIBRAE_A) $(USER_KLIB_A)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(LD) $(USER_LDFLAGS) -o $@ $(LIBRAE_CRT0) $< --start-group $(LIBRAE_A) $(USER_KLIB_A) --end-group

define SERVICE_LINK_RULE
$(call service_bin,$(1)): $(patsubst %.c,$(BUILD)/user/%.o,$(wildcard services/$(1)/*.c)) \
		$(SERVICE_EXTRA_OBJS_$(1)) $(LIBRAE_CRT0) $(LIBRAE_A) $(USER_KLIB_A)
	@mkdir -p $$(dir $$@)
	@echo "  LD      $$@"
	@$(LD) $(USER_LDFLAGS) -o $$@ $(LIBRAE_CRT0) $$(filter %.o,$$(filter-out $(LIBRAE_CRT0),$$^)) \
		$(filter %.a,$(SERVICE_EXTRA_OBJS_$(1))) $(LIBRAE_A) $(USER_KLIB_A)
endef

define SERVICE_TOOL_LINK_RULE
$(BUILD)/user/root/bin/$(basename $(notdir $(1))): $(patsubst %.c,$(BUILD)/user/%.o,$(1)) \
		$(LIBRAE_CRT0) $(LIBRAE_A) $(USER_KLIB_A)
	@mkdir -p $$(dir $$@)
	@echo "  LD      $$@"
	@$(LD) $(USER_LDFLAGS) -o $$@ $(LIBRAE_CRT0) $$(filter %.o,$$(filter-out $(LIBRAE_CRT0),$$^)) \
		$(LIBRAE_A) $(USER_KLIB_A)
endef
$(foreach t,$(wildcard services/*/tools/*.c),$(eval $(call SERVICE_TOOL_LINK_RULE,$(t))))

# A small archive with deliberately malformed entries among good ones, in
# the test initrd as test/vfs-malformed.tar: bin/vfstest serves it from a second
# vfsd and checks what was skipped (the main initrd must stay valid for the
# kernel's own reader).
$(TEST_ROOT)/test/vfs-malformed.tar: tools/build/mkbadtar.py | $(SETUP_STAMP)
	@mkdir -p $(dir $@)
	$(HOSTPY) tools/build/mkbadtar.py $@

# The console service draws with the kernel's framebuffer console code and
# font, built a second time for user space (the same sources, no copy).
USER_SHARED_CFLAGS := -Ikernel/include -Ikernel/include/klibc
SERVICE_CFLAGS_console := $(USER_SHARED_CFLAGS)
SERVICE_EXTRA_OBJS_console := $(BUILD)/user/shared/fbcon.o $(BUILD)/user/shared/font.o

$(BUILD)/user/shared/fbcon.o: kernel/generic/console/fbcon.c Makefile | $(SETUP_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC      $< (user)"
	@$(CC) $(USER_CFLAGS) $(USER_SHARED_CFLAGS) -c $< -o $@

$(BUILD)/user/shared/font.o: $(BUILD)/gen/font.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (user)"
	@$(CC) $(USER_CFLAGS) $(USER_SHARED_CFLAGS) -c $< -o $@


# The ACPI service runs ACPICA (ports/acpica): its objects see ACPICA's
# headers as system headers (third-party code, its warnings are not ours),
# including <acpi.h> (the kernel has an <acpi/acpi.h> of its own), and are
# compiled after the library is built; the library links in.
ACPICA_LIB := $(BUILD)/ports/acpica/libacpica.a
SERVICE_CFLAGS_acpi := -isystem $(BUILD)/ports/acpica/src/include/acpi \
	-isystem $(BUILD)/ports/acpica/src/include -DRAE_ACPICA
SERVICE_EXTRA_OBJS_acpi := $(ACPICA_LIB)
$(patsubst %.c,$(BUILD)/user/%.o,$(wildcard services/acpi/*.c)): | $(ACPICA_LIB)

$(ACPICA_LIB): ports/acpica/build.sh ports/acpica/acrae.h $(wildcard ports/acpica/patches/*.patch) \
		| $(SETUP_STAMP)
	ports/acpica/build.sh $(BUILD)

# Each service links the server side of the contracts it answers.
$(foreach c,$(CONTRACTS),$(eval SERVICE_EXTRA_OBJS_$(CONTRACT_SERVER_$(c)) += \
	$(BUILD)/user/contracts/$(c)_server.o))
$(foreach s,$(SERVICES),$(eval $(call SERVICE_LINK_RULE,$(s))))

# A damaged program (a valid one cut short) for the loader's error path.
$(TEST_ROOT)/bin/badelf: $(TEST_ROOT)/bin/hello
	@head -c 100 $< > $@

# A program whose ELF header lies: one loadable segment of 1 MiB in a file
# of 120 bytes (posix_spawn must answer ENOEXEC: apps/libc/libcproc.c).
$(TEST_ROOT)/bin/badelf-header: Makefile | $(SETUP_STAMP)
	@mkdir -p $(dir $@)
	@$(HOSTPY) -c 'import struct,sys; sys.stdout.buffer.write(b"\x7fELF\x02\x01\x01" + bytes(9) + \
		struct.pack("<HHIQQQIHHHHHH", 3, 0x3e, 1, 0x1000, 64, 0, 0, 64, 56, 1, 64, 0, 0) + \
		struct.pack("<IIQQQQQQ", 1, 5, 0, 0, 0, 0x100000, 0x100000, 0x1000))' > $@

TEST_FILES := $(TEST_BINS) $(TEST_ROOT)/bin/badelf $(TEST_ROOT)/bin/badelf-header \
	$(TEST_ROOT)/test/vfs-malformed.tar $(LIBC_BINS)
user: $(USER_BINS) $(COMMAND_BINS) $(TEST_FILES)

# --- the C library: musl (ports/musl) and the POSIX runtime (lib/posix) ------

# build/sysroot holds musl's headers and libc.a, the runtime (libposix.a and
# the start file raecrt1.o) and librae's headers; tools/raeen-cc compiles
# and links against it (this build's own: a BUILD=build/release build passes
# RAEEN_SYSROOT, as for lua). ports/musl/build.sh keeps its build (and the fetched
# source) under build/ports/musl and redoes nothing when nothing changed.
SYSROOT := $(BUILD)/sysroot
MUSL_LIB := $(SYSROOT)/lib/libc.a
POSIX_CFLAGS = -std=gnu11 -O2 -g -nostdinc -isystem $(SYSROOT)/include \
	-isystem $(CC_INCLUDE) -Iabi -Ilib/librae/include -I$(CONTRACT_INCLUDE) -D__raeenos__ \
	-fPIE -fno-stack-protector -fno-omit-frame-pointer -Wall -Wextra -Werror -MMD -MP
POSIX_OBJS := $(patsubst lib/posix/%,$(BUILD)/posix/%.o,$(filter-out lib/posix/crt.c,\
	$(wildcard lib/posix/*.c lib/posix/*.S))) $(BUILD)/posix/startup.c.o \
	$(BUILD)/posix/vfs_client.c.o $(BUILD)/posix/console_client.c.o $(BUILD)/posix/services.c.o \
	$(patsubst %,$(BUILD)/posix/contracts/%_client.c.o,$(CONTRACTS))
RAE_HEADERS := $(patsubst lib/librae/include/%,$(SYSROOT)/include/%,$(wildcard lib/librae/include/*.h)) \
	$(patsubst abi/rae/%,$(SYSROOT)/include/rae/%,$(wildcard abi/rae/*.h abi/rae/*.def)) \
	$(patsubst $(CONTRACT_INCLUDE)/rae/%,$(SYSROOT)/include/rae/%,$(CONTRACT_HEADERS))

$(MUSL_LIB): ports/musl/build.sh $(wildcard ports/musl/patches/*.patch) | $(SETUP_STAMP)
	ports/musl/build.sh $(BUILD) $(SYSROOT)
	@touch $@

musl: $(MUSL_LIB)

$(BUILD)/posix/%.o: lib/posix/% Makefile | $(MUSL_LIB) $(CONTRACT_HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(POSIX_CFLAGS) -c $< -o $@

$(BUILD)/posix/startup.c.o $(BUILD)/posix/vfs_client.c.o $(BUILD)/posix/console_client.c.o \
		$(BUILD)/posix/services.c.o: \
		$(BUILD)/posix/%.c.o: lib/librae/%.c \
		Makefile | $(MUSL_LIB) $(CONTRACT_HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(POSIX_CFLAGS) -c $< -o $@

$(SYSROOT)/lib/libposix.a: $(POSIX_OBJS)
	@echo "  AR      $@"
	@rm -f $@ && ar rcs $@ $^

$(SYSROOT)/lib/raecrt1.o: $(BUILD)/posix/crt.c.o
	@cp $< $@

$(SYSROOT)/include/%.h: lib/librae/include/%.h | $(MUSL_LIB)
	@cp $< $@

$(SYSROOT)/include/rae/%.h: abi/rae/%.h | $(MUSL_LIB)
	@mkdir -p $(dir $@)
	@cp $< $@

$(BUILD)/posix/contracts/%.c.o: $(CONTRACT_DIR)/%.c $(CONTRACT_HEADERS) Makefile | $(MUSL_LIB)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(POSIX_CFLAGS) $(call contract_opt,$<) -c $< -o $@

$(SYSROOT)/include/rae/%_contract.h: $(CONTRACT_INCLUDE)/rae/%_contract.h | $(MUSL_LIB)
	@mkdir -p $(dir $@)
	@cp $< $@

$(SYSROOT)/include/rae/%.def: abi/rae/%.def | $(MUSL_LIB)
	@mkdir -p $(dir $@)
	@cp $< $@

sysroot: $(MUSL_LIB) $(SYSROOT)/lib/libposix.a $(SYSROOT)/lib/raecrt1.o $(RAE_HEADERS)

# C programs (apps/libc/) built with tools/raeen-cc, into the test initrd's /bin.
$(LIBC_BINS): $(TEST_ROOT)/bin/%: apps/libc/%.c tools/raeen-cc $(SYSROOT)/lib/libposix.a \
		$(SYSROOT)/lib/raecrt1.o $(RAE_HEADERS)
	@mkdir -p $(dir $@)
	@echo "  RAEENCC $<"
	@RAEEN_SYSROOT=$(abspath $(SYSROOT)) tools/raeen-cc -std=gnu11 -O2 -g -Wall -Wextra -Werror -o $@ $<

$(COREUTILS_BINS): $(BUILD)/user/root/bin/%: apps/coreutils/%.c $(wildcard apps/coreutils/*.h) tools/raeen-cc \
		$(SYSROOT)/lib/libposix.a $(SYSROOT)/lib/raecrt1.o $(RAE_HEADERS)
	@mkdir -p $(dir $@)
	@echo "  RAEENCC $<"
	@RAEEN_SYSROOT=$(abspath $(SYSROOT)) tools/raeen-cc -std=gnu11 -O2 -g -Wall -Wextra -Werror -o $@ $<

$(SHELL_BIN): apps/shell/sh.c tools/raeen-cc $(SYSROOT)/lib/libposix.a $(SYSROOT)/lib/raecrt1.o \
		$(RAE_HEADERS)
	@mkdir -p $(dir $@)
	@echo "  RAEENCC $<"
	@RAEEN_SYSROOT=$(abspath $(SYSROOT)) tools/raeen-cc -std=gnu11 -O2 -g -Wall -Wextra -Werror -o $@ $<

# Keep the objects between the chained rules.
.SECONDARY:

# --- ports: third-party programs (ports/<name>/build.sh) ------------------

# Lua 5.4 (Debian's lua5.4 source package, ports/lua): the interpreter in
# /bin/lua, and the script its test runs (bin/luatest, KTEST
# user_lua_program) in the test initrd's /test/lua/. build.sh fetches the source once and
# redoes nothing when nothing changed.
PORT_BINS := $(BUILD)/user/root/bin/lua
PORT_FILES := $(patsubst ports/lua/tests/%,$(TEST_ROOT)/test/lua/%,$(wildcard ports/lua/tests/*))

$(BUILD)/user/root/bin/lua: ports/lua/build.sh $(wildcard ports/lua/patches/*.patch) tools/raeen-cc \
		$(SYSROOT)/lib/libposix.a $(SYSROOT)/lib/raecrt1.o $(RAE_HEADERS)
	RAEEN_SYSROOT=$(abspath $(SYSROOT)) ports/lua/build.sh $(BUILD) $@

$(TEST_ROOT)/test/lua/%: ports/lua/tests/% | $(SETUP_STAMP)
	@mkdir -p $(dir $@)
	@cp $< $@

ports: $(PORT_BINS) $(PORT_FILES)

# --- initrd and ISO -------------------------------------------------------

# EXTRA_ROOTFS=dir adds a directory of extra files to the initrd, over the
# built ones: dir/bin/x is /bin/x. tools/build/mkinitrd packs it (modes
# kept). The directory's name is kept in build/.extra-rootfs, so changing
# it (or dropping it) repacks the initrd.
EXTRA_ROOTFS ?=
ifneq ($(strip $(EXTRA_ROOTFS)),)
ifeq ($(wildcard $(EXTRA_ROOTFS)/.),)
$(error EXTRA_ROOTFS=$(EXTRA_ROOTFS): no such directory)
endif
endif
EXTRA_ROOTFS_STAMP := $(BUILD)/.extra-rootfs
$(shell mkdir -p $(BUILD); want='$(abspath $(EXTRA_ROOTFS))'; \
	[ -f $(EXTRA_ROOTFS_STAMP) ] && [ "$$(cat $(EXTRA_ROOTFS_STAMP))" = "$$want" ] \
	|| echo "$$want" > $(EXTRA_ROOTFS_STAMP))

# The programs go into the initrds without their symbols and debug
# information (nothing in RaeenOS reads them; a debugger takes the
# unstripped ones in build/user/): a third of the size, and GRUB reads
# every byte at boot. IMAGE_ROOT and IMAGE_TEST_ROOT hold those copies.
IMAGE_ROOT := $(BUILD)/image/root
IMAGE_TEST_ROOT := $(BUILD)/image/test-root
SYSTEM_FILES := $(USER_BINS) $(COMMAND_BINS) $(PORT_BINS)
IMAGE_FILES := $(patsubst $(BUILD)/user/root/%,$(IMAGE_ROOT)/%,$(SYSTEM_FILES))
# Test programs stripped; the deliberately broken ones and data as they are.
IMAGE_TEST_PROGRAMS := $(patsubst $(TEST_ROOT)/%,$(IMAGE_TEST_ROOT)/%,$(TEST_BINS) $(LIBC_BINS))
IMAGE_TEST_FILES := $(IMAGE_TEST_PROGRAMS) $(patsubst $(TEST_ROOT)/%,$(IMAGE_TEST_ROOT)/%,\
	$(TEST_ROOT)/bin/badelf $(TEST_ROOT)/bin/badelf-header $(TEST_ROOT)/test/vfs-malformed.tar \
	$(PORT_FILES))

# lspci's names: Debian's pci.ids (package pci.ids, from tools/setup) packed by
# tools/build/pciids.py into a table of about a quarter of its size.
PCI_IDS := /usr/share/misc/pci.ids
PCI_IDS_TABLE := $(IMAGE_ROOT)/usr/share/misc/pci-ids.bin
IMAGE_FILES += $(PCI_IDS_TABLE)

$(PCI_IDS_TABLE): tools/build/pciids.py | $(SETUP_STAMP)
	@mkdir -p $(dir $@)
	$(HOSTPY) tools/build/pciids.py $(PCI_IDS) $@

$(IMAGE_ROOT)/%: $(BUILD)/user/root/%
	@mkdir -p $(dir $@)
	@strip --strip-all -o $@ $<

$(IMAGE_TEST_PROGRAMS): $(IMAGE_TEST_ROOT)/%: $(TEST_ROOT)/%
	@mkdir -p $(dir $@)
	@strip --strip-all -o $@ $<

$(IMAGE_TEST_ROOT)/%: $(TEST_ROOT)/%
	@mkdir -p $(dir $@)
	@cp -p $< $@

# The roots, in order (a later one's file replaces an earlier one's):
# rootfs/ and the built system for both; then tests/rootfs/ (the test
# manifests) and the test programs for the test initrd; EXTRA_ROOTFS last.
$(INITRD): $(shell find rootfs $(EXTRA_ROOTFS) 2>/dev/null) $(EXTRA_ROOTFS_STAMP) tools/build/mkinitrd \
		$(IMAGE_FILES) | $(SETUP_STAMP)
	tools/build/mkinitrd $@ $(BUILD)/rootfs-stage rootfs $(IMAGE_ROOT) $(EXTRA_ROOTFS)

$(TEST_INITRD): $(shell find rootfs tests/rootfs $(EXTRA_ROOTFS) 2>/dev/null) $(EXTRA_ROOTFS_STAMP) \
		tools/build/mkinitrd $(IMAGE_FILES) $(IMAGE_TEST_FILES) | $(SETUP_STAMP)
	tools/build/mkinitrd $@ $(BUILD)/rootfs-test-stage rootfs $(IMAGE_ROOT) tests/rootfs \
		$(IMAGE_TEST_ROOT) $(EXTRA_ROOTFS)

# TESTS=1 puts the test initrd on the ISO, for the kernel tests that start
# test programs (make run TESTS=1 ARGS="test=all").
TESTS ?= 0
ISO_INITRD := $(if $(filter 1,$(TESTS)),$(TEST_INITRD),$(INITRD))

# Rebuilt every time (0.4 s), so ARGS always reaches grub.cfg.
iso: $(KERNEL_ELF) $(ISO_INITRD) | $(SETUP_STAMP)
	@tools/build/mkiso $(KERNEL_ELF) $(ISO_INITRD) $(ISO) "$(ARGS)"

run: iso
	tools/run-qemu --iso $(ISO) --firmware $(FIRMWARE) --machine $(MACHINE) \
		--cpu $(CPU) --smp $(SMP) --mem $(MEM)

# --- tests ----------------------------------------------------------------

include tests/host.mk

test: $(KERNEL_ELF) $(INITRD) $(TEST_INITRD) host-tests | $(SETUP_STAMP)
	$(HOSTPY) -m pytest -q tools/test tools/bench
	$(HOSTPY) tools/test/run_tests.py --timeout 240 --kernel $(KERNEL_ELF) --initrd $(TEST_INITRD) \
		--system-initrd $(INITRD) --host-tests $(BUILD)/tests/host

# Random system calls for longer than `make test` gives them: one boot running only the hostile
# suite's random-call part (bin/sysfuzz) for SECONDS guest seconds on FUZZ_SMP CPUs; FUZZ_SEED=N
# repeats a run (the log prints its seed).
SECONDS ?= 60
FUZZ_SMP ?= 2
FUZZ_SEED ?= 0
fuzz-os: $(KERNEL_ELF) $(TEST_INITRD) | $(SETUP_STAMP)
	$(HOSTPY) tools/test/fuzz_os.py --kernel $(KERNEL_ELF) --initrd $(TEST_INITRD) \
		--seconds $(SECONDS) --smp $(FUZZ_SMP) --seed $(FUZZ_SEED)

# Benchmarks: host binaries, the kernel's bench=all under QEMU -icount, the Linux peer
# (Debian's kernel running tools/bench/linux/peer_bench.c the same way), static sizes.
# Writes build/bench.json and prints a table and the RaeenOS vs Linux ratios.
# Benchmarks measure a release kernel (DEBUG=0: no lock-order bookkeeping,
# no heap red zones), built apart in build/release; bench=all starts the
# benchmark programs of the test initrd, the boot to the shell is the
# system's own initrd.
RELEASE_BUILD := $(BUILD)/release
bench: host-bench | $(SETUP_STAMP)
	$(MAKE) --no-print-directory BUILD=$(RELEASE_BUILD) DEBUG=0 \
		$(RELEASE_BUILD)/raecore.elf $(RELEASE_BUILD)/initrd.tar $(RELEASE_BUILD)/initrd-test.tar
	$(HOSTPY) tools/bench/run_bench.py --kernel $(RELEASE_BUILD)/raecore.elf \
		--initrd $(RELEASE_BUILD)/initrd.tar --test-initrd $(RELEASE_BUILD)/initrd-test.tar

# comparePointers is suppressed: linker-built tables (.ktest, .ex_table, relocations)
# are walked from one linker symbol to another, which cppcheck cannot see is one object.
# In lib and services, rae.h's register-variable bindings look like unused statements to it.
LINT_SRCS = $(shell find kernel abi tests lib apps services tools/bench/linux -name '*.c' -o -name '*.h' | sort)
lint: | $(SETUP_STAMP) $(CONTRACT_HEADERS)
	clang-format --dry-run --Werror $(LINT_SRCS)
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
		--inline-suppr --suppress=missingIncludeSystem --suppress=comparePointers \
		-Iabi -Ikernel/include -D__x86_64__ kernel tests
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
		--inline-suppr --suppress=missingIncludeSystem \
		--suppress=constStatement:lib/librae/include/rae.h \
		-Iabi -Ikernel/include -Ilib/librae/include -Iservices/vfs -I$(CONTRACT_INCLUDE) \
		-D__x86_64__ lib services

clean:
	rm -rf $(BUILD)

FORCE:

-include $(shell find $(BUILD) -name '*.d' -type f 2>/dev/null)
