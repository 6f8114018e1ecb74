/* The PCI service's protocol from a client (abi/rae/pci.h), run at the
 * shell by the pci-* system runs (tools/test/pci.py): the health-check
 * ping, an unknown request, LIST from the start, at the end, past the end
 * and into a buffer with room for one record, a request carrying a handle
 * and a one-way message (both must leave the service answering), and the
 * records' own consistency. Prints "pcitest: FAIL ..." for each failed
 * check and "pcitest: N checks, M failed" last; exits with M. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <rae_services.h>
#include <rae_startup.h>
#include <rae/pci.h>

#define TIMEOUT_NS 5000000000ull

/* The POSIX runtime's start-up set (lib/posix/crt.c). */
rae_startup_t *rae_posix_startup(void);

static unsigned checks, failed;

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		checks++;                                                                          \
		if (!(cond)) {                                                                     \
			failed++;                                                                  \
			printf("pcitest: FAIL line %d: %s: ", __LINE__, #cond);                    \
			printf(__VA_ARGS__);                                                       \
			printf("\n");                                                              \
		}                                                                                  \
	} while (0)

static rae_pci_function_t records[RAE_PCI_LIST_MAX];

/* A LIST call from `first` into a buffer of `cap` bytes; the reply's tag. */
static int64_t list(rae_handle_t pci, uint64_t first, uint32_t cap, rae_msg_t *m)
{
	memset(m, 0, sizeof(*m));
	m->tag = RAE_PCI_LIST;
	m->words[0] = first;
	m->buf = (uint64_t)(uintptr_t)records;
	m->buf_cap = cap;
	int64_t st = rae_ipc_call(pci, m, TIMEOUT_NS);
	return st == RAE_OK ? (int64_t)m->tag : st;
}

static void check_records(uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		const rae_pci_function_t *f = &records[i];
		CHECK(f->vendor_id != 0xffff && f->vendor_id != 0, "record %llu vendor %04x",
		      (unsigned long long)i, f->vendor_id);
		CHECK(f->device < 32 && f->function < 8, "record %llu at %02x.%u",
		      (unsigned long long)i, f->device, f->function);
		if (i) {
			const rae_pci_function_t *p = &records[i - 1];
			uint32_t a = ((uint32_t)p->bus << 8) | (p->device << 3) | p->function;
			uint32_t b = ((uint32_t)f->bus << 8) | (f->device << 3) | f->function;
			CHECK(p->segment < f->segment || (p->segment == f->segment && a < b),
			      "records %llu and %llu out of bus order", (unsigned long long)i - 1,
			      (unsigned long long)i);
		}
		for (unsigned b = 0; b < RAE_PCI_BARS; b++) {
			const rae_pci_bar_t *bar = &f->bars[b];
			CHECK((bar->size & (bar->size - 1)) == 0, "%02x:%02x.%u BAR%u size %#llx",
			      f->bus, f->device, f->function, b, (unsigned long long)bar->size);
			if ((bar->flags & RAE_PCI_BAR_64) && bar->size && b + 1 < RAE_PCI_BAR_ROM)
				CHECK(f->bars[b + 1].flags & RAE_PCI_BAR_UPPER,
				      "%02x:%02x.%u BAR%u: 64-bit without its upper half", f->bus,
				      f->device, f->function, b);
			/* The service holds a resource for every programmed BAR, and for nothing else. */
			bool wanted = bar->size && bar->base && b != RAE_PCI_BAR_ROM &&
				      !(bar->flags & (RAE_PCI_BAR_UPPER | RAE_PCI_BAR_BROKEN));
			CHECK(wanted == !!(bar->flags & RAE_PCI_BAR_RESOURCE),
			      "%02x:%02x.%u BAR%u: resource %s", f->bus, f->device, f->function, b,
			      wanted ? "missing" : "for nothing");
		}
		CHECK(f->cap_count <= RAE_PCI_CAPS_MAX && f->ext_cap_count <= RAE_PCI_EXT_CAPS_MAX,
		      "%02x:%02x.%u capability counts", f->bus, f->device, f->function);
	}
}

int main(void)
{
	rae_handle_t svc = rae_startup_handle(rae_posix_startup(), RAE_ROLE_SERVICES);
	rae_handle_t pci;
	if (svc == RAE_HANDLE_INVALID ||
	    rae_service_lookup(svc, "pci", &pci, TIMEOUT_NS) != RAE_OK) {
		printf("pcitest: FAIL no PCI service to test\n");
		return 1;
	}
	rae_msg_t m = {.tag = RAE_SVC_PING};
	m.words[0] = 0x5eed;
	int64_t st = rae_ipc_call(pci, &m, TIMEOUT_NS);
	CHECK(st == RAE_OK && m.tag == RAE_OK && m.words[0] == 0x5eed, "ping: %lld, tag %lld",
	      (long long)st, (long long)m.tag);

	m = (rae_msg_t){.tag = 0x777};
	st = rae_ipc_call(pci, &m, TIMEOUT_NS);
	CHECK(st == RAE_OK && (int64_t)m.tag == RAE_ERR_UNSUPPORTED, "unknown request: %lld, %lld",
	      (long long)st, (long long)(int64_t)m.tag);

	st = list(pci, 0, sizeof(records), &m);
	uint64_t total = m.words[1], n = m.words[0];
	CHECK(st == RAE_OK, "LIST: %lld", (long long)st);
	CHECK(total > 0 && n == (total < RAE_PCI_LIST_MAX ? total : RAE_PCI_LIST_MAX),
	      "LIST: %llu of %llu", (unsigned long long)n, (unsigned long long)total);
	CHECK(m.buf_len == n * sizeof(records[0]), "LIST: %u bytes for %llu records", m.buf_len,
	      (unsigned long long)n);
	CHECK(m.words[2] == RAE_PCI_ACCESS_PORTS || m.words[2] == RAE_PCI_ACCESS_ECAM,
	      "LIST: access %llu", (unsigned long long)m.words[2]);
	CHECK(m.words[3] == 0, "LIST: flags %#llx", (unsigned long long)m.words[3]);
	check_records(n < RAE_PCI_LIST_MAX ? n : RAE_PCI_LIST_MAX);
	rae_pci_function_t first = records[0];

	st = list(pci, total, sizeof(records), &m);
	CHECK(st == RAE_OK && m.words[0] == 0 && m.buf_len == 0, "LIST at the end: %lld, %llu",
	      (long long)st, (unsigned long long)m.words[0]);
	st = list(pci, total + 1, sizeof(records), &m);
	CHECK(st == RAE_ERR_RANGE, "LIST past the end: %lld", (long long)st);
	st = list(pci, 1ull << 63, sizeof(records), &m);
	CHECK(st == RAE_ERR_RANGE, "LIST far past the end: %lld", (long long)st);

	/* Room for one record: the kernel delivers what fits, the rest is cut. */
	memset(records, 0, sizeof(records));
	st = list(pci, 0, sizeof(records[0]), &m);
	CHECK(st == RAE_OK && m.buf_len == sizeof(records[0]), "LIST into one record: %lld, %u",
	      (long long)st, m.buf_len);
	CHECK(memcmp(&records[0], &first, sizeof(first)) == 0, "LIST into one record: another");

	/* A handle sent along is closed by the service, which answers as usual. */
	rae_handle_t spare;
	CHECK(rae_endpoint_create(&spare) == RAE_OK, "no endpoint to send along");
	if (spare != RAE_HANDLE_INVALID) {
		memset(&m, 0, sizeof(m));
		m.tag = RAE_PCI_LIST;
		m.handle_count = 1;
		m.handles[0] = spare;
		m.buf = (uint64_t)(uintptr_t)records;
		m.buf_cap = sizeof(records);
		st = rae_ipc_call(pci, &m, TIMEOUT_NS);
		CHECK(st == RAE_OK && m.tag == RAE_OK && m.handle_count == 0,
		      "LIST with a handle: %lld, %lld", (long long)st, (long long)(int64_t)m.tag);
	}
	/* A one-way message gets no answer and leaves the service serving. */
	rae_msg_t oneway = {.tag = RAE_PCI_LIST};
	CHECK(rae_ipc_send(pci, &oneway, TIMEOUT_NS) == RAE_OK, "one-way LIST not taken");
	st = list(pci, 0, sizeof(records), &m);
	CHECK(st == RAE_OK && m.words[1] == total, "LIST after a one-way message: %lld",
	      (long long)st);

	printf("pcitest: %u checks, %u failed\n", checks, failed);
	return (int)failed;
}
