/* The console hand-over and rae-consoled, from user space. Started by the
 * kernel tests (kernel/generic/test/ktest_console.c) with the root
 * resource in one call, as bin/hwtest is. It checks the hand-over system
 * calls and the kernel log ring, starts bin/consoled with resources
 * narrowed to the console's devices, and checks the service's protocol as
 * a client, malformed requests included. With KTEST_ROOT_INTERACTIVE the
 * harness (tools/test/console.py) types on the serial line and the PS/2
 * keyboard at each "consoletest: >" prompt, and this program checks what
 * it reads: line editing, Ctrl-C, Ctrl-D, raw mode. Exits 0 when every
 * check holds. */
#include <rae.h>
#include <rae_console.h>

#define ROOT_INTERACTIVE  0x2
#define ROOT_MANY_CLIENTS 0x4
#define WAIT_NS           2000000000ull
#define TYPING_NS         60000000000ull /* the harness types within this */
#define LOG_BIT           0x10

static int failures;
static rae_console_t con;
static int have_con;
/* While this program holds the console itself, its reports would only
 * reach the log it reads: they wait here until it gives the console back. */
static int holding;
static char held[2048];
static size_t held_len;

/* Reports go to the console service once there is one, else to the
 * kernel's console. */
static void say(const char *s)
{
	if (holding) {
		for (; *s && held_len < sizeof(held); s++)
			held[held_len++] = *s;
	} else if (have_con) {
		rae_console_puts(&con, s);
	} else {
		rae_puts(s);
	}
}

/* Closes the console handle (the kernel takes the console back), then
 * prints the reports that waited. */
static int64_t give_back(rae_handle_t h)
{
	int64_t st = rae_handle_close(h);
	holding = 0;
	rae_debug_write(held, held_len);
	held_len = 0;
	return st;
}

static void say_dec(int64_t v)
{
	char d[24];
	int n = 0;
	uint64_t u = v < 0 ? (uint64_t)-v : (uint64_t)v;
	do {
		d[sizeof(d) - 1 - n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		d[sizeof(d) - 1 - n++] = '-';
	char s[25];
	memcpy(s, d + sizeof(d) - n, (size_t)n);
	s[n] = 0;
	say(s);
}

static void check(int ok, const char *what)
{
	if (!ok) {
		say("consoletest: FAIL: ");
		say(what);
		say("\n");
		failures++;
	}
}

static void check_eq(int64_t got, int64_t want, const char *what)
{
	if (got != want) {
		say("consoletest: FAIL: ");
		say(what);
		say(": got ");
		say_dec(got);
		say(", want ");
		say_dec(want);
		say("\n");
		failures++;
	}
}

static int64_t memcmp_n(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (a[i] != b[i])
			return 1;
	}
	return 0;
}

static int contains(const char *hay, size_t n, const char *needle)
{
	size_t k = rae_strlen(needle);
	for (size_t i = 0; i + k <= n; i++) {
		if (!memcmp_n(hay + i, needle, k))
			return 1;
	}
	return 0;
}

/* --- the kernel's calls ---------------------------------------------------- */

static char logbuf[RAE_KLOG_SIZE];

/* Reads the whole log from `from`; returns the bytes and the next offset. */
static size_t log_read_all(rae_handle_t h, uint64_t *from)
{
	size_t n = 0;
	for (;;) {
		int64_t got = rae_log_read(h, from, logbuf + n, RAE_LOG_READ_MAX);
		if (got <= 0) {
			check(got == 0, "LOG_READ to the end");
			return n;
		}
		n += (size_t)got;
		if (n + RAE_LOG_READ_MAX > sizeof(logbuf))
			return n;
	}
}

static void handover_calls(rae_handle_t root, const rae_console_hw_t *hw)
{
	uint64_t off = 0;
	int64_t serial =
	    rae_sys_resource_create(root, RAE_RESOURCE_IOPORT, hw->serial_port, hw->serial_ports);
	int64_t cmos = rae_sys_resource_create(root, RAE_RESOURCE_IOPORT, 0x70, 2);
	int64_t irqs = rae_sys_resource_create(root, RAE_RESOURCE_IRQ, 0, 16);
	int64_t n = rae_sys_notify_create();
	int64_t ep = rae_sys_endpoint_create();
	check(serial > 0 && cmos > 0 && irqs > 0 && n > 0 && ep > 0, "resources and objects");

	/* Who may take the console: a resource over the UART's ports. */
	check_eq(rae_sys_console_handover(0, 0, 0, &off), RAE_ERR_BAD_HANDLE, "no handle");
	check_eq(rae_sys_console_handover((rae_handle_t)n, 0, 0, &off), RAE_ERR_WRONG_TYPE,
		 "a notification is no resource");
	check_eq(rae_sys_console_handover((rae_handle_t)cmos, 0, 0, &off), RAE_ERR_RANGE,
		 "the CMOS ports do not cover COM1");
	check_eq(rae_sys_console_handover((rae_handle_t)irqs, 0, 0, &off), RAE_ERR_RANGE,
		 "an IRQ resource does not cover COM1");
	int64_t weak = rae_sys_handle_dup((rae_handle_t)serial, RAE_RIGHT_DUPLICATE);
	check_eq(rae_sys_console_handover((rae_handle_t)weak, 0, 0, &off), RAE_ERR_ACCESS_DENIED,
		 "a resource without MANAGE");
	check_eq(rae_sys_console_handover((rae_handle_t)serial, (rae_handle_t)ep, 1, &off),
		 RAE_ERR_WRONG_TYPE, "an endpoint is no notification");
	check_eq(rae_sys_console_handover((rae_handle_t)serial, (rae_handle_t)n, 0, &off),
		 RAE_ERR_INVALID, "a notification with no bits");
	check_eq(rae_sys_console_handover((rae_handle_t)serial, (rae_handle_t)n, 1, (uint64_t *)8),
		 RAE_ERR_FAULT, "a bad offset pointer");
	check_eq(rae_log_read((rae_handle_t)serial, &off, logbuf, 16), RAE_ERR_WRONG_TYPE,
		 "LOG_READ needs the console handle");

	/* The hand-over itself (the faulted one above gave the console back). */
	int64_t h = rae_sys_console_handover((rae_handle_t)serial, (rae_handle_t)n, LOG_BIT, &off);
	check(h > 0, "the hand-over");
	if (h <= 0)
		return;
	holding = 1;
	check_eq(rae_sys_console_handover((rae_handle_t)serial, 0, 0, &off), RAE_ERR_BUSY,
		 "one hand-over at a time");
	check_eq(rae_sys_handle_dup((rae_handle_t)h, RAE_RIGHT_READ), RAE_ERR_ACCESS_DENIED,
		 "the console handle cannot be duplicated");

	/* The log holds the boot messages (unless it wrapped: then ours). */
	uint64_t from = 0;
	size_t got = log_read_all((rae_handle_t)h, &from);
	check(from >= off, "the log reaches the hand-over's offset");
	if (from == got) { /* started at 0: nothing fell out of the ring */
		check(contains(logbuf, got, "RaeenOS "), "LOG_READ has the boot banner");
		check(contains(logbuf, got, "cmdline: "), "LOG_READ has the command line");
	}
	uint64_t past = from + 1;
	check_eq(rae_log_read((rae_handle_t)h, &past, logbuf, 16), RAE_ERR_RANGE,
		 "an offset past the end");
	check_eq(rae_log_read((rae_handle_t)h, &from, (void *)8, 16), 0,
		 "nothing to read copies nothing");

	/* While handed over, kernel output goes to the log and the holder
	 * is told: the marker is in the log, its bit set. */
	rae_notify_wait((rae_handle_t)n, 0);
	const char marker[] = "consoletest: a kernel line while handed over\n";
	rae_debug_write(marker, sizeof(marker) - 1);
	int64_t bits = rae_notify_wait((rae_handle_t)n, WAIT_NS);
	check(bits > 0 && (bits & LOG_BIT), "the kernel signals that the log grew");
	uint64_t at = from;
	got = log_read_all((rae_handle_t)h, &at);
	check(got == sizeof(marker) - 1 && !memcmp_n(logbuf, marker, got),
	      "LOG_READ returns exactly the new line");
	uint64_t again = from;
	check_eq(rae_log_read((rae_handle_t)h, &again, (void *)8, 16), RAE_ERR_FAULT,
		 "a bad buffer faults");

	/* Closing gives the console back; it can be taken again. */
	check_eq(give_back((rae_handle_t)h), RAE_OK, "closing the console handle");
	h = rae_sys_console_handover((rae_handle_t)serial, 0, 0, &off);
	check(h > 0, "the console can be taken again once given back");
	if (h > 0)
		rae_handle_close((rae_handle_t)h);
	rae_handle_close((rae_handle_t)serial);
	rae_handle_close((rae_handle_t)cmos);
	rae_handle_close((rae_handle_t)irqs);
	rae_handle_close((rae_handle_t)weak);
	rae_handle_close((rae_handle_t)n);
	rae_handle_close((rae_handle_t)ep);
}

/* --- the service's protocol ------------------------------------------------ */

static int64_t raw_call(rae_handle_t h, uint64_t tag, uint64_t w0, rae_msg_t *m)
{
	*m = (rae_msg_t){.tag = tag};
	m->words[0] = w0;
	int64_t st = rae_ipc_call(h, m, WAIT_NS);
	return st == RAE_OK ? (int64_t)m->tag : st;
}

static void protocol_checks(rae_handle_t service, const rae_console_hw_t *hw)
{
	rae_msg_t m;
	rae_console_winsize_t ws;
	check_eq(rae_console_winsize(&con, &ws), RAE_OK, "WINSIZE");
	uint32_t cols = hw->has_framebuffer ? hw->framebuffer.width / 8 : 80;
	check_eq(ws.columns, cols, "the text grid's columns");
	check_eq(ws.serial_columns, 80, "the serial line's columns");
	check_eq(ws.serial_rows, 25, "the serial line's rows");

	/* Malformed requests get errors, and the service lives on. */
	check_eq(raw_call(con.service, 999, 0, &m), RAE_ERR_INVALID, "an unknown request");
	check_eq(raw_call(con.service, RAE_CONSOLE_SET_MODE, 0x80, &m), RAE_ERR_INVALID,
		 "an unknown mode");
	check_eq(raw_call(con.service, RAE_CONSOLE_READ, 0, &m), RAE_ERR_INVALID,
		 "a read of 0 bytes");
	check_eq(raw_call(con.service, RAE_CONSOLE_READ, RAE_IPC_BUF_MAX + 1, &m), RAE_ERR_INVALID,
		 "a read past the message size");
	check_eq(raw_call(con.service, RAE_CONSOLE_ATTACH, 1, &m), RAE_ERR_INVALID,
		 "ATTACH without a notification");
	int64_t ep = rae_sys_endpoint_create();
	m = (rae_msg_t){.tag = RAE_CONSOLE_ATTACH, .handle_count = 1};
	m.handles[0] = (rae_handle_t)ep;
	m.words[0] = m.words[1] = 1;
	check_eq(rae_ipc_call(con.service, &m, WAIT_NS) == RAE_OK ? (int64_t)m.tag : -100,
		 RAE_ERR_WRONG_TYPE, "ATTACH with an endpoint");
	int64_t unbadged = rae_sys_handle_dup(service, RAE_RIGHT_WRITE);
	check_eq(raw_call((rae_handle_t)unbadged, RAE_CONSOLE_WRITE, 0, &m), RAE_ERR_ACCESS_DENIED,
		 "a handle without a badge");
	rae_handle_close((rae_handle_t)unbadged);

	/* Modes, the foreground, reading with a timeout. */
	uint32_t old = 99;
	check_eq(rae_console_set_mode(&con, RAE_CONSOLE_MODE_NOECHO, &old), RAE_OK, "SET_MODE");
	check_eq(old, 0, "cooked with echo by default");
	check_eq(rae_console_set_mode(&con, 0, &old), RAE_OK, "SET_MODE back");
	check_eq(old, RAE_CONSOLE_MODE_NOECHO, "SET_MODE returns the previous mode");
	check_eq(rae_console_set_foreground(&con), RAE_OK, "SET_FOREGROUND");
	char buf[64];
	uint64_t t0 = rae_clock_ns();
	check_eq(rae_console_read(&con, buf, sizeof(buf), 50000000ull, NULL), RAE_ERR_TIMED_OUT,
		 "a read with nothing typed times out");
	check(rae_clock_ns() - t0 >= 50000000ull, "after its timeout");

	/* A second client: its own badge, in the background. */
	int64_t other_h = rae_sys_handle_mint(service, RAE_RIGHT_WRITE, 2);
	rae_console_t other;
	check_eq(rae_console_connect(&other, (rae_handle_t)other_h), RAE_OK, "a second client");
	check_eq(rae_console_read(&other, buf, sizeof(buf), 0, NULL), RAE_ERR_BUSY,
		 "a background client cannot read");
	check_eq(rae_console_puts(&other, "consoletest: written by the second client\n"), 42,
		 "the second client writes");
	rae_handle_t child;
	rae_status_t opened = rae_console_open(&other, &child);
	check(opened == RAE_OK, "OPEN gives a handle for a child");
	if (opened == RAE_OK) {
		rae_console_t c3;
		check_eq(rae_console_connect(&c3, child), RAE_OK, "the child's handle connects");
		check_eq(rae_console_puts(&c3, "consoletest: written through an OPEN handle\n"), 44,
			 "and writes");
		rae_console_close(&c3);
	}
	/* Any client may read the kernel log, the background one too. */
	uint64_t at = 0;
	check(rae_console_log_read(other.service, &at, buf, sizeof(buf), NULL) > 0,
	      "a background client reads the kernel log");
	rae_console_close(&other);
	check_eq(rae_console_set_foreground(&con), RAE_OK, "SET_FOREGROUND again");
}

/* Programs killed while they hold a console slot (Ctrl-C, KILL): the
 * service hears of each end from the kernel and frees the slot, so after
 * many more kills than it has slots a new program is served, and the
 * memory comes back. */
static void killed_clients(int kills)
{
	const int KILLS = kills;
	rae_system_info_t info;
	int started = 0, served = 0;
	uint64_t before = 0;
	for (int i = 0; i < KILLS; i++) {
		if (i == (KILLS < 100 ? 4 : 20)) {
			rae_system_info(&info); /* after the service's own buffers grew */
			before = info.free_pages;
		}
		rae_handle_t h;
		if (rae_console_open(&con, &h) != RAE_OK)
			break;
		int64_t ended = rae_sys_notify_create();
		int64_t p = rae_sys_spawn_with("bin/conclient", (rae_handle_t)h, 0);
		if (p <= 0) {
			rae_handle_close((rae_handle_t)ended);
			break;
		}
		started++;
		/* It is served (WINSIZE answered) before it waits for input;
		 * give it the time to get there, then kill it. */
		rae_process_watch((rae_handle_t)p, (rae_handle_t)ended, 1);
		rae_sleep_ns(i % 4 == 0 ? 2000000ull : 0);
		rae_kill((rae_handle_t)p);
		int status = 0;
		rae_wait((rae_handle_t)p, &status);
		served += status == RAE_EXIT_KILLED;
		rae_handle_close((rae_handle_t)p);
		rae_handle_close((rae_handle_t)ended);
	}
	check_eq(started, KILLS, "console clients started and killed");
	check_eq(served, KILLS, "each was served until killed (none refused a slot)");
	/* A new client after all of them: every slot came back. */
	rae_handle_t h;
	rae_status_t opened_again = rae_console_open(&con, &h);
	rae_console_t next;
	rae_console_winsize_t ws;
	check_eq(opened_again == RAE_OK ? rae_console_connect(&next, h) : opened_again, RAE_OK,
		 "a new client connects after the killed ones");
	check_eq(rae_console_winsize(&next, &ws), RAE_OK, "and is served");
	say("consoletest: ");
	say_dec(KILLS);
	say(" clients killed\n");
	check_eq(rae_console_puts(&next, "consoletest: served after the killed clients\n"), 45,
		 "and writes");
	rae_console_close(&next);
	rae_system_info(&info);
	say("consoletest: free pages before the kills ");
	say_dec((int64_t)before);
	say(", after ");
	say_dec((int64_t)info.free_pages);
	say("\n");
	check(info.free_pages + 256 >= before, "memory in use is back within 1 MiB");
}

/* RAE_CONSOLE_LOG_READ: the whole ring through the service, as dmesg reads it. */
static void log_read_checks(rae_handle_t service)
{
	rae_msg_t m;
	uint64_t from = 0, oldest = UINT64_MAX;
	int64_t n = rae_console_log_read(con.service, &from, logbuf, RAE_IPC_BUF_MAX, &oldest);
	check(n > 0, "LOG_READ through the service");
	if (n <= 0)
		return;
	check_eq((int64_t)(from - (uint64_t)n), (int64_t)oldest,
		 "a read from 0 starts at the oldest byte held");
	size_t got = (size_t)n;
	while (got + RAE_IPC_BUF_MAX <= sizeof(logbuf)) {
		n = rae_console_log_read(con.service, &from, logbuf + got, RAE_IPC_BUF_MAX, NULL);
		if (n <= 0) {
			check_eq(n, 0, "LOG_READ through the service to the end");
			break;
		}
		got += (size_t)n;
	}
	check(contains(logbuf, got, "consoletest: a kernel line through consoled"),
	      "the service's LOG_READ has the line this program logged");
	if (oldest == 0)
		check(contains(logbuf, got, "RaeenOS "), "and the boot banner");

	/* Bad requests: errors, and the service lives on. */
	uint64_t past = from + 1000000;
	check_eq(rae_console_log_read(con.service, &past, logbuf, 16, NULL), RAE_ERR_RANGE,
		 "a log offset past the end");
	m = (rae_msg_t){.tag = RAE_CONSOLE_LOG_READ};
	check_eq(rae_ipc_call(con.service, &m, WAIT_NS) == RAE_OK ? (int64_t)m.tag : -100,
		 RAE_ERR_INVALID, "LOG_READ of 0 bytes");
	m = (rae_msg_t){.tag = RAE_CONSOLE_LOG_READ};
	m.words[1] = RAE_IPC_BUF_MAX + 1;
	check_eq(rae_ipc_call(con.service, &m, WAIT_NS) == RAE_OK ? (int64_t)m.tag : -100,
		 RAE_ERR_INVALID, "LOG_READ past the message size");
	int64_t unbadged = rae_sys_handle_dup(service, RAE_RIGHT_WRITE);
	uint64_t zero = 0;
	check_eq(rae_console_log_read((rae_handle_t)unbadged, &zero, logbuf, 16, NULL),
		 RAE_ERR_ACCESS_DENIED, "LOG_READ needs a badge");
	rae_handle_close((rae_handle_t)unbadged);
	/* A small buffer gets exactly what it asked for. */
	uint64_t at = from - 5;
	check_eq(rae_console_log_read(con.service, &at, logbuf, 5, NULL), 5,
		 "LOG_READ of the last 5 bytes");
	check_eq((int64_t)at, (int64_t)from, "moves the offset by 5");
}

/* --- typed input (interactive) --------------------------------------------- */

/* Prompts the harness and reads one line (or event). */
static int64_t prompt_read(const char *prompt, char *buf, size_t cap, uint32_t *flags)
{
	say("consoletest: > ");
	say(prompt);
	say("\n");
	int64_t n = rae_console_read(&con, buf, cap, TYPING_NS, flags);
	if (n >= 0 && (size_t)n < cap)
		buf[n] = 0;
	return n;
}

static void expect_line(const char *prompt, const char *want)
{
	char buf[128];
	uint32_t flags;
	int64_t n = prompt_read(prompt, buf, sizeof(buf) - 1, &flags);
	size_t k = rae_strlen(want);
	int ok = n == (int64_t)k && !memcmp_n(buf, want, k);
	if (ok) {
		say("consoletest: read '");
		rae_console_write(&con, buf, k - 1);
		say("'\n");
	}
	check(ok, want);
}

static void interactive(void)
{
	char buf[64];
	uint32_t flags;
	expect_line("type on serial", "hello serial\n");
	expect_line("type on the keyboard", "Hello, Kbd!\n");
	expect_line("type on the keyboard with caps lock", "CAPS lock\n");

	int64_t n = prompt_read("press ctrl-c", buf, sizeof(buf), &flags);
	check(n == 0 && (flags & RAE_CONSOLE_READ_INTERRUPTED), "Ctrl-C interrupts the read");
	if (n == 0 && (flags & RAE_CONSOLE_READ_INTERRUPTED))
		say("consoletest: interrupted\n");

	n = prompt_read("press ctrl-d", buf, sizeof(buf), &flags);
	check(n == 0 && (flags & RAE_CONSOLE_READ_EOF), "Ctrl-D is the end of file");
	if (n == 0 && (flags & RAE_CONSOLE_READ_EOF))
		say("consoletest: end of file\n");

	/* Raw: every byte, Ctrl-C included, nothing echoed or edited. */
	check_eq(rae_console_set_mode(&con, RAE_CONSOLE_MODE_RAW | RAE_CONSOLE_MODE_NOECHO, NULL),
		 RAE_OK, "raw mode");
	say("consoletest: > raw mode\n");
	size_t got = 0;
	uint64_t deadline = rae_clock_ns() + TYPING_NS;
	while (got < 4 && rae_clock_ns() < deadline) {
		n = rae_console_read(&con, buf + got, sizeof(buf) - got, TYPING_NS, NULL);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	check(got == 4 && !memcmp_n(buf, "r\x03\x7fx", 4), "raw mode reads r ^C DEL x as typed");
	if (got == 4)
		say("consoletest: raw bytes as typed\n");
	check_eq(rae_console_set_mode(&con, 0, NULL), RAE_OK, "cooked mode again");

	say("consoletest: the framebuffer shows this line\n");
	expect_line("check the screen", "next\n");
}

int main(uint64_t arg)
{
	rae_msg_t m = {0};
	if (rae_ipc_receive((rae_handle_t)arg, &m, WAIT_NS) != RAE_OK || m.handle_count != 1) {
		rae_puts("consoletest: FAIL: no root resource\n");
		return 1;
	}
	rae_handle_t root = m.handles[0];
	int interactive_run = (m.words[0] & ROOT_INTERACTIVE) != 0;
	int many_clients = (m.words[0] & ROOT_MANY_CLIENTS) != 0;
	rae_msg_t reply = {0};
	rae_ipc_reply(&reply);

	rae_console_hw_t hw;
	check_eq(rae_console_info(&hw), RAE_OK, "CONSOLE_INFO");
	check_eq(hw.serial_port, 0x3f8, "COM1");
	check_eq(rae_console_info((rae_console_hw_t *)8), RAE_ERR_FAULT,
		 "CONSOLE_INFO bad pointer");
	handover_calls(root, &hw);

	rae_handle_t service = 0;
	rae_handle_t proc;
	rae_status_t started = rae_consoled_start(root, 0, 0, 0, "bin/consoled", &service, &proc);
	check(started == RAE_OK, "bin/consoled starts");
	if (started != RAE_OK)
		return 1;
	int64_t mine = rae_sys_handle_mint(service, RAE_RIGHT_WRITE, 1);
	check_eq(rae_console_connect(&con, (rae_handle_t)mine), RAE_OK, "connect");
	have_con = 1;
	say("consoletest: hello through the console service\n");
	/* A kernel line now reaches the serial port through the service. */
	const char kline[] = "consoletest: a kernel line through consoled\n";
	rae_debug_write(kline, sizeof(kline) - 1);
	protocol_checks(service, &hw);
	log_read_checks(service);
	/* More than the service's 32 slots; 1,000 in the hostile runs. */
	killed_clients(many_clients ? 1000 : 40);
	if (interactive_run)
		interactive();

	/* The service ends; the kernel takes its console back. */
	check_eq(rae_kill(proc), RAE_OK, "stopping consoled");
	int status = 0;
	check_eq(rae_wait(proc, &status), RAE_OK, "consoled ended");
	check_eq(status, RAE_EXIT_KILLED, "killed, not crashed");
	have_con = 0;
	uint64_t off;
	int64_t serial = rae_sys_resource_create(root, RAE_RESOURCE_IOPORT, hw.serial_port, 8);
	int64_t again = rae_sys_console_handover((rae_handle_t)serial, 0, 0, &off);
	check(again > 0, "the console is free again once consoled is gone");
	if (again > 0)
		rae_handle_close((rae_handle_t)again);
	if (!failures)
		rae_puts("consoletest: all checks passed\n");
	return failures;
}
