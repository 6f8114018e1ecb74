/* Table-driven capability check: every system call that takes a handle is
 * tried with a handle lacking, in turn, each right the call needs, and
 * must fail with RAE_ERR_ACCESS_DENIED; with all rights it must pass that
 * check. Exits with the number of failed checks. */
#include <rae.h>

enum { OBJ_ENDPOINT, OBJ_NOTIFICATION, OBJ_MEMORY, OBJ_JOB };

typedef struct {
	const char *name;
	int object;
	uint32_t needs; /* every right the call checks */
	int64_t (*call)(rae_handle_t h);
} case_t;

static int64_t do_ipc_call(rae_handle_t h)
{
	rae_msg_t m = {0};
	return rae_ipc_call(h, &m, 0);
}

static int64_t do_ipc_receive(rae_handle_t h)
{
	rae_msg_t m = {0};
	return rae_ipc_receive(h, &m, 0);
}

static int64_t do_signal(rae_handle_t h)
{
	return rae_notify_signal(h, 1);
}

static int64_t do_wait(rae_handle_t h)
{
	return rae_notify_wait(h, 0);
}

static int64_t do_dup(rae_handle_t h)
{
	int64_t r = rae_handle_dup(h, RAE_RIGHT_READ & 0);
	if (r > 0)
		rae_handle_close((rae_handle_t)r);
	return r;
}

static int64_t do_mint(rae_handle_t h)
{
	int64_t r = rae_handle_mint(h, 0, 5);
	if (r > 0)
		rae_handle_close((rae_handle_t)r);
	return r;
}

static int64_t do_map_read(rae_handle_t h)
{
	return rae_mem_map(h, RAE_PROT_READ);
}

static int64_t do_map_write(rae_handle_t h)
{
	return rae_mem_map(h, RAE_PROT_READ | RAE_PROT_WRITE);
}

static int64_t do_job_create(rae_handle_t h)
{
	int64_t r = rae_job_create(h, 1, 1, 1, 1);
	if (r > 0)
		rae_handle_close((rae_handle_t)r);
	return r;
}

static int64_t do_spawn_in(rae_handle_t h)
{
	int64_t pid = rae_spawn_in(h, "bin/hello", 0);
	if (pid > 0)
		rae_wait(pid, 0);
	return pid;
}

static int64_t do_give(rae_handle_t h)
{
	/* Moving a handle to a child needs TRANSFER. */
	int64_t pid = rae_spawn_with("bin/hello", h);
	if (pid > 0)
		rae_wait(pid, 0);
	return pid;
}

static const case_t cases[] = {
    {"IPC_CALL", OBJ_ENDPOINT, RAE_RIGHT_WRITE, do_ipc_call},
    {"IPC_RECEIVE", OBJ_ENDPOINT, RAE_RIGHT_READ, do_ipc_receive},
    {"NOTIFY_SIGNAL", OBJ_NOTIFICATION, RAE_RIGHT_SIGNAL, do_signal},
    {"NOTIFY_WAIT", OBJ_NOTIFICATION, RAE_RIGHT_WAIT, do_wait},
    {"HANDLE_DUP", OBJ_ENDPOINT, RAE_RIGHT_DUPLICATE, do_dup},
    {"HANDLE_MINT", OBJ_NOTIFICATION, RAE_RIGHT_DUPLICATE, do_mint},
    {"MEM_MAP read", OBJ_MEMORY, RAE_RIGHT_MAP | RAE_RIGHT_READ, do_map_read},
    {"MEM_MAP write", OBJ_MEMORY, RAE_RIGHT_MAP | RAE_RIGHT_READ | RAE_RIGHT_WRITE, do_map_write},
    {"JOB_CREATE", OBJ_JOB, RAE_RIGHT_MANAGE, do_job_create},
    {"SPAWN_WITH job", OBJ_JOB, RAE_RIGHT_MANAGE, do_spawn_in},
    {"SPAWN_WITH give", OBJ_NOTIFICATION, RAE_RIGHT_TRANSFER, do_give},
};

static rae_handle_t fresh(int object)
{
	switch (object) {
	case OBJ_ENDPOINT: return (rae_handle_t)rae_endpoint_create();
	case OBJ_NOTIFICATION: return (rae_handle_t)rae_notify_create();
	case OBJ_MEMORY: return (rae_handle_t)rae_mem_create(4096, 0);
	default: return (rae_handle_t)rae_job_create(0, 8, 8, 4096, 64);
	}
}

int main(uint64_t arg)
{
	(void)arg;
	int failures = 0, tried = 0;
	for (unsigned c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		const case_t *k = &cases[c];
		for (uint32_t bit = 1; bit <= RAE_RIGHTS_ALL; bit <<= 1) {
			if (!(k->needs & bit))
				continue;
			rae_handle_t full = fresh(k->object);
			/* Everything the object type offers, minus this one right. */
			int64_t weak = rae_handle_dup(full, RAE_RIGHTS_ALL & ~bit & ~0u);
			if (weak < 0) /* objects made with fewer rights: dup what they have */
				weak = rae_handle_dup(full, (RAE_RIGHT_READ | RAE_RIGHT_WRITE |
							     RAE_RIGHT_MAP | RAE_RIGHT_TRANSFER |
							     RAE_RIGHT_DUPLICATE) &
								~bit);
			tried++;
			int64_t r = weak > 0 ? k->call((rae_handle_t)weak) : weak;
			if (r != RAE_ERR_ACCESS_DENIED) {
				failures++;
				rae_puts("rightstest: FAILED: ");
				rae_puts(k->name);
				rae_puts(" without right ");
				rae_put_hex(bit);
				rae_puts(" returned ");
				rae_put_dec(r);
				rae_puts("\n");
			}
			if (weak > 0)
				rae_handle_close((rae_handle_t)weak);
			/* With every right it has, the rights check passes. */
			if (k->call(full) == RAE_ERR_ACCESS_DENIED) {
				failures++;
				rae_puts("rightstest: FAILED: ");
				rae_puts(k->name);
				rae_puts(" denied with all rights\n");
			}
			rae_handle_close(full);
		}
	}
	rae_puts("rightstest: ");
	rae_put_dec(tried);
	rae_puts(failures ? " cases, some failed\n" : " cases, all denied as they should be\n");
	return failures;
}
