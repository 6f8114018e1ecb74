/* Started as the first user process would be (kernel/generic/proc/
 * bootstrap.c): its argument is an endpoint on which the kernel's one
 * bootstrap call arrives with the root resource and the initrd. Checks
 * what came: two handles of the right types and rights, an initrd that
 * maps read-only (never writable) and holds bin/hello, and a root
 * resource that really grants hardware, and the kernel command line in the
 * call's buffer. Exits 0 when all hold. */
#include <rae.h>
#include <rae/bootstrap.h>
#include <rae/resource.h>

static int failures;

static void check(int ok, const char *what)
{
	if (!ok) {
		rae_puts("initcheck: FAIL: ");
		rae_puts(what);
		rae_puts("\n");
		failures++;
	}
}

static uint64_t octal(const volatile uint8_t *s, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n && s[i] >= '0' && s[i] <= '7'; i++)
		v = v * 8 + (s[i] - '0');
	return v;
}

static int name_is(const volatile uint8_t *name, const char *want)
{
	/* Entries may be named "bin/x" or "./bin/x". */
	int i = 0;
	if (name[0] == '.' && name[1] == '/')
		name += 2;
	for (; want[i]; i++) {
		if (name[i] != (uint8_t)want[i])
			return 0;
	}
	return name[i] == 0;
}

int main(uint64_t arg)
{
	rae_handle_t ep = (rae_handle_t)arg;
	static char cmdline[RAE_IPC_BUF_MAX];
	rae_msg_t m = {.buf = (uint64_t)(uintptr_t)cmdline, .buf_cap = sizeof(cmdline)};
	check(rae_ipc_receive(ep, &m, RAE_TIMEOUT_NEVER) == RAE_OK, "the bootstrap call arrives");
	/* initcheck runs under the kernel tests, so the command line holds test=. */
	int has_test = 0;
	for (uint32_t i = 0; i + 5 <= m.buf_len && i + 5 <= sizeof(cmdline); i++)
		has_test |= memcmp(cmdline + i, "test=", 5) == 0;
	check(has_test, "the kernel command line comes in the buffer");
	check(m.tag == RAE_BOOTSTRAP_TAG, "bootstrap tag");
	check(m.handle_count == RAE_BOOTSTRAP_HANDLES, "two handles");
	rae_handle_t root = m.handles[RAE_BOOTSTRAP_ROOT_RESOURCE];
	rae_handle_t initrd = m.handles[RAE_BOOTSTRAP_INITRD];
	uint64_t bytes = m.words[RAE_BOOTSTRAP_WORD_INITRD_BYTES];

	/* The initrd: read-only, and a real USTAR archive holding bin/hello. */
	check(rae_mem_map(initrd, RAE_PROT_READ | RAE_PROT_WRITE) == RAE_ERR_ACCESS_DENIED,
	      "the initrd is never writable");
	int64_t at = rae_mem_map(initrd, RAE_PROT_READ);
	check(at > 0, "the initrd maps read-only");
	int found = 0;
	uint64_t hello_at = 0, hello_size = 0;
	if (at > 0) {
		const volatile uint8_t *tar = (const volatile uint8_t *)(uintptr_t)at;
		for (uint64_t off = 0; off + 512 <= bytes && tar[off];) {
			const volatile uint8_t *h = tar + off;
			check(h[257] == 'u' && h[258] == 's' && h[259] == 't' && h[260] == 'a' &&
				  h[261] == 'r',
			      "USTAR magic");
			uint64_t size = octal(h + 124, 12);
			if (name_is(h, "bin/hello")) {
				found = 1;
				hello_at = off + 512;
				hello_size = size;
			}
			off += 512 + (size + 511) / 512 * 512;
		}
	}
	check(found, "bin/hello is in the initrd");

	/* Programs start from the initrd object: SPAWN_IMAGE copies the image. */
	rae_handle_t hello;
	rae_status_t started =
	    rae_spawn_image(initrd, hello_at, hello_size, "hello-image", 0, 0, &hello);
	check(started == RAE_OK, "bin/hello starts from the initrd object");
	int status = -1;
	if (started == RAE_OK)
		check(rae_wait(hello, &status) == RAE_OK && status == 42, "and exits with 42");
	check(rae_sys_spawn_image(initrd, 0, 512, "header", 0, 0) == RAE_ERR_INVALID,
	      "a tar header is no program");
	check(rae_sys_spawn_image(initrd, hello_at, 0, "empty", 0, 0) == RAE_ERR_INVALID,
	      "an empty image is refused");
	check(rae_sys_spawn_image(initrd, bytes + 4096 * 4096ull, 1, "past", 0, 0) == RAE_ERR_RANGE,
	      "an image past the object's end is refused");
	check(rae_sys_spawn_image(initrd, 4096, UINT64_MAX, "wrap", 0, 0) == RAE_ERR_RANGE,
	      "an image size that wraps is refused");
	check(rae_sys_spawn_image(initrd, hello_at, hello_size, "", 0, 0) == RAE_ERR_INVALID,
	      "a process needs a name");
	check(rae_sys_spawn_image(initrd, hello_at, hello_size, (const char *)8, 0, 0) ==
		  RAE_ERR_FAULT,
	      "a bad name pointer faults cleanly");

	/* The root resource grants hardware: a sub-resource of the CMOS ports. */
	rae_handle_t ports, io;
	rae_status_t derived = rae_resource_create(root, RAE_RESOURCE_IOPORT, 0x70, 2, &ports);
	check(derived == RAE_OK, "the root resource derives an I/O port resource");
	if (derived == RAE_OK)
		check(rae_ioport_create(ports, 0x70, 2, &io) == RAE_OK, "and an I/O port object");
	/* A duplicate of the initrd handle keeps its rights, no more. */
	check(rae_sys_handle_dup(initrd, RAE_RIGHT_READ | RAE_RIGHT_WRITE) < 0,
	      "no write right can be added to the initrd");

	rae_msg_t r = {.tag = (uint64_t)failures};
	check(rae_ipc_reply(&r) == RAE_OK, "the reply");
	if (!failures)
		rae_puts("initcheck: all checks passed\n");
	return failures;
}
