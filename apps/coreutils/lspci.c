/* lspci: lists every PCI function the PCI service found (abi/rae/pci.h):
 * its address, class, vendor and device with their names, BARs, interrupt,
 * capabilities and driver. Names come from /usr/share/misc/pci-ids.bin,
 * Debian's pci.ids packed at build time by tools/build/pciids.py (its
 * layout is described there); without it, or where it is damaged, IDs are
 * printed alone. It reaches the service through the name service (role
 * RAE_ROLE_SERVICES, passed on by the shell). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <rae_services.h>
#include <rae_startup.h>
#include <rae/pci.h>

#define TIMEOUT_NS   5000000000ull
#define IDS_PATH     "/usr/share/misc/pci-ids.bin"
#define IDS_MAGIC    "RAEPCI1"
#define NAME_MAX     256
#define WORDS_1BYTE  127
#define WORD_LITERAL 0x7fff

/* The POSIX runtime's start-up set (lib/posix/crt.c). */
rae_startup_t *rae_posix_startup(void);

typedef struct {
	const uint8_t *data;
	size_t size;
	const char **words;
	uint32_t word_count;
	const uint8_t *vendors; /* 8 bytes each */
	uint32_t vendor_count;
	size_t records, records_end; /* offsets into data */
	const char *classes;
	size_t classes_size;
} ids_t;

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

/* A section (count or size, offset) of the header, checked to lie inside the file. */
static bool ids_section(const ids_t *ids, unsigned i, size_t unit, uint32_t *count, size_t *at)
{
	const uint8_t *h = ids->data + 8 + 8 * i;
	*count = get32(h);
	*at = get32(h + 4);
	return *at <= ids->size && (uint64_t)*count * unit <= ids->size - *at;
}

static bool ids_parse(ids_t *ids, uint8_t *data, size_t size);

/* Reads and checks the table; false (ids unusable) when it is absent or damaged. */
static bool ids_load(ids_t *ids)
{
	memset(ids, 0, sizeof(*ids));
	FILE *f = fopen(IDS_PATH, "rb");
	if (!f)
		return false;
	size_t cap = 1 << 16, size = 0;
	uint8_t *data = malloc(cap + 1);
	size_t got;
	while (data && (got = fread(data + size, 1, cap - size, f)) > 0) {
		size += got;
		if (size == cap) {
			uint8_t *bigger = realloc(data, cap * 2 + 1);
			if (!bigger) {
				free(data);
				data = NULL;
				break;
			}
			data = bigger;
			cap *= 2;
		}
	}
	fclose(f);
	if (!data)
		return false;
	data[size] = 0; /* the class text ends in a NUL whatever the file says */
	if (ids_parse(ids, data, size))
		return true;
	fprintf(stderr, "lspci: %s is damaged; printing IDs without names\n", IDS_PATH);
	free(data);
	return false;
}

/* Checks the table in data (size bytes and a NUL after them, owned by ids
 * from here on) and indexes its words. False, with ids emptied, when a
 * section lies outside it or a word is not terminated. */
static bool ids_parse(ids_t *ids, uint8_t *data, size_t size)
{
	memset(ids, 0, sizeof(*ids));
	ids->data = data;
	ids->size = size;
	uint32_t words, records_size, classes_size;
	size_t words_at, vendors_at, records_at, classes_at;
	if (size < 8 + 4 * 8 || memcmp(data, IDS_MAGIC, 8) != 0 ||
	    !ids_section(ids, 0, 1, &words, &words_at) ||
	    !ids_section(ids, 1, 8, &ids->vendor_count, &vendors_at) ||
	    !ids_section(ids, 2, 1, &records_size, &records_at) ||
	    !ids_section(ids, 3, 1, &classes_size, &classes_at))
		goto bad;
	ids->words = malloc(((size_t)words + 1) * sizeof(char *));
	if (!ids->words)
		goto bad;
	/* The words end where the vendor table begins (it follows them). */
	size_t at = words_at, limit = vendors_at > words_at ? vendors_at : size;
	for (uint32_t i = 0; i < words; i++) {
		const uint8_t *end = at < limit ? memchr(data + at, 0, limit - at) : NULL;
		if (!end)
			goto bad;
		ids->words[i] = (const char *)data + at;
		at = (size_t)(end - data) + 1;
	}
	ids->word_count = words;
	ids->vendors = data + vendors_at;
	ids->records = records_at;
	ids->records_end = records_at + records_size;
	ids->classes = (const char *)data + classes_at;
	ids->classes_size = classes_size;
	return true;
bad:
	free(ids->words);
	memset(ids, 0, sizeof(*ids));
	return false;
}

/* Decodes the name at *pos into out (cap bytes; NULL only skips it) and
 * moves *pos past it. False when it runs past the records or names a word
 * that is not there. */
static bool ids_name(const ids_t *ids, size_t *pos, char *out, size_t cap)
{
	size_t len = 0;
	bool first = true;
	for (;;) {
		if (*pos >= ids->records_end)
			return false;
		unsigned b = ids->data[(*pos)++];
		if (b == 0)
			break;
		const char *word;
		char literal[NAME_MAX];
		if (b < 0x80) {
			if (b - 1 >= ids->word_count)
				return false;
			word = ids->words[b - 1];
		} else {
			if (*pos >= ids->records_end)
				return false;
			unsigned v = ((b & 0x7f) << 8) | ids->data[(*pos)++];
			if (v == WORD_LITERAL) {
				size_t n = 0;
				while (*pos < ids->records_end && ids->data[*pos] &&
				       n + 1 < sizeof(literal))
					literal[n++] = (char)ids->data[(*pos)++];
				if (*pos >= ids->records_end || ids->data[*pos])
					return false;
				(*pos)++;
				literal[n] = 0;
				word = literal;
			} else {
				if (WORDS_1BYTE + v >= ids->word_count)
					return false;
				word = ids->words[WORDS_1BYTE + v];
			}
		}
		if (out) {
			size_t wl = strlen(word);
			if (len + wl + 2 > cap)
				return false;
			if (!first)
				out[len++] = ' ';
			memcpy(out + len, word, wl);
			len += wl;
			out[len] = 0;
		}
		first = false;
	}
	if (out && first && cap)
		out[0] = 0;
	return true;
}

/* The vendor's name into vendor and, when device_id is not -1, the
 * device's into device (empty when unknown). */
static void ids_lookup(const ids_t *ids, uint16_t vendor_id, int device_id, char *vendor,
		       char *device)
{
	vendor[0] = 0;
	if (device)
		device[0] = 0;
	if (!ids->data)
		return;
	uint32_t lo = 0, hi = ids->vendor_count;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		uint16_t id = get16(ids->vendors + 8 * mid);
		if (id == vendor_id) {
			size_t pos = ids->records + get32(ids->vendors + 8 * mid + 4);
			if (!ids_name(ids, &pos, vendor, NAME_MAX) || pos + 2 > ids->records_end) {
				vendor[0] = 0;
				return;
			}
			unsigned devices = get16(ids->data + pos);
			pos += 2;
			for (unsigned i = 0; device && device_id >= 0 && i < devices; i++) {
				if (pos + 2 > ids->records_end)
					return;
				uint16_t did = get16(ids->data + pos);
				pos += 2;
				bool match = did == device_id;
				if (!ids_name(ids, &pos, match ? device : NULL, NAME_MAX)) {
					device[0] = 0;
					return;
				}
				if (match)
					return;
			}
			return;
		}
		if (id < vendor_id)
			lo = mid + 1;
		else
			hi = mid;
	}
}

/* The class table's name for key ("03", "0300", "030000"), or NULL. */
static const char *ids_class(const ids_t *ids, const char *key, char *out, size_t cap)
{
	if (!ids->data)
		return NULL;
	size_t kl = strlen(key);
	const char *p = ids->classes, *end = ids->classes + ids->classes_size;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *line_end = nl ? nl : end;
		if ((size_t)(line_end - p) > kl && memcmp(p, key, kl) == 0 && p[kl] == ' ') {
			size_t n = (size_t)(line_end - p) - kl - 1;
			if (n >= cap)
				n = cap - 1;
			memcpy(out, p + kl + 1, n);
			out[n] = 0;
			return out;
		}
		p = line_end + 1;
	}
	return NULL;
}

/* "4K", "16M", "32": exact, as BAR sizes are powers of two. */
static const char *size_text(uint64_t size, char *out, size_t cap)
{
	static const char units[] = "KMGT";
	int u = -1;
	while (size >= 1024 && size % 1024 == 0 && u < 3) {
		size /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(out, cap, "%llu", (unsigned long long)size);
	else
		snprintf(out, cap, "%llu%c", (unsigned long long)size, units[u]);
	return out;
}

static const char *cap_name(uint8_t id)
{
	switch (id) {
	case 0x01: return "PM";
	case 0x02: return "AGP";
	case 0x03: return "VPD";
	case 0x04: return "Slot ID";
	case 0x05: return "MSI";
	case 0x07: return "PCI-X";
	case 0x09: return "Vendor Specific";
	case 0x0a: return "Debug port";
	case 0x0d: return "Bridge subsystem";
	case 0x10: return "PCIe";
	case 0x11: return "MSI-X";
	case 0x12: return "SATA";
	case 0x13: return "AF";
	default: return NULL;
	}
}

static const char *ext_cap_name(uint16_t id)
{
	switch (id) {
	case 0x0001: return "AER";
	case 0x0002: return "VC";
	case 0x0003: return "DSN";
	case 0x0004: return "Power Budget";
	case 0x000b: return "Vendor Specific";
	case 0x000d: return "ACS";
	case 0x000e: return "ARI";
	case 0x000f: return "ATS";
	case 0x0010: return "SR-IOV";
	case 0x0015: return "Resizable BAR";
	case 0x0018: return "LTR";
	case 0x0019: return "Secondary PCIe";
	case 0x001e: return "L1 PM Substates";
	default: return NULL;
	}
}

static const char *pcie_type_name(uint8_t type)
{
	static const char *const names[] = {"endpoint",
					    "legacy endpoint",
					    NULL,
					    NULL,
					    "root port",
					    "upstream port",
					    "downstream port",
					    "PCIe-to-PCI bridge",
					    "PCI-to-PCIe bridge",
					    "root complex endpoint",
					    "root complex event collector"};
	return type < sizeof(names) / sizeof(names[0]) && names[type] ? names[type]
								      : "unknown type";
}

static void print_bars(const rae_pci_function_t *f)
{
	char size[24];
	for (unsigned i = 0; i < RAE_PCI_BARS; i++) {
		const rae_pci_bar_t *b = &f->bars[i];
		if (!b->size && !(b->flags & RAE_PCI_BAR_BROKEN))
			continue;
		const char *off = (b->flags & RAE_PCI_BAR_ENABLED) ? "" : " [disabled]";
		size_text(b->size, size, sizeof(size));
		if (i == RAE_PCI_BAR_ROM)
			printf("\tExpansion ROM at %08llx%s [size=%s]\n",
			       (unsigned long long)b->base, off, size);
		else if (b->flags & RAE_PCI_BAR_IO)
			printf("\tBAR%u: I/O ports at %04llx%s [size=%s]\n", i,
			       (unsigned long long)b->base, off, size);
		else if (b->flags & RAE_PCI_BAR_BROKEN)
			printf("\tBAR%u: Memory at %08llx (64-bit in the last slot: unusable)\n", i,
			       (unsigned long long)b->base);
		else
			printf("\tBAR%u: Memory at %08llx (%s%s)%s [size=%s]\n", i,
			       (unsigned long long)b->base,
			       (b->flags & RAE_PCI_BAR_64) ? "64-bit" : "32-bit",
			       (b->flags & RAE_PCI_BAR_PREFETCH) ? ", prefetchable" : "", off,
			       size);
	}
}

static void print_interrupt(const rae_pci_function_t *f)
{
	const char *kind = f->msix_offset  ? "; MSI-X capable"
			   : f->msi_offset ? "; MSI capable"
					   : "";
	if (f->irq_pin == 0 || f->irq_pin > 4)
		printf("\tInterrupt: none%s\n", kind);
	else if (f->irq_line == 0xff || f->irq_line == 0)
		printf("\tInterrupt: INTx pin %c, no line assigned%s\n", 'A' + f->irq_pin - 1,
		       kind);
	else
		printf("\tInterrupt: INTx pin %c, line %u%s\n", 'A' + f->irq_pin - 1, f->irq_line,
		       kind);
}

static void print_capabilities(const rae_pci_function_t *f)
{
	if (!f->cap_count && !(f->flags & (RAE_PCI_FN_CAP_LOOP | RAE_PCI_FN_CAP_OUTSIDE)))
		return;
	printf("\tCapabilities:");
	for (unsigned i = 0; i < f->cap_count; i++) {
		const char *name = cap_name(f->caps[i]);
		printf(i ? ", " : " ");
		if (f->caps[i] == RAE_PCI_CAP_MSI && f->msi_offset) {
			unsigned vectors = 1u << ((f->msi_control >> 1) & 7);
			printf("MSI (%s, %u vector%s)",
			       (f->msi_control & 0x80) ? "64-bit" : "32-bit", vectors,
			       vectors == 1 ? "" : "s");
		} else if (f->caps[i] == RAE_PCI_CAP_MSIX && f->msix_offset)
			printf("MSI-X (%u vectors, table BAR%u+%#x, PBA BAR%u+%#x)",
			       f->msix_table_size, f->msix_table_bar, f->msix_table_offset,
			       f->msix_pba_bar, f->msix_pba_offset);
		else if (f->caps[i] == RAE_PCI_CAP_PCIE && f->pcie_offset)
			printf("PCIe (%s)", pcie_type_name(f->pcie_type));
		else if (name)
			printf("%s", name);
		else
			printf("%#04x", f->caps[i]);
	}
	if (f->flags & RAE_PCI_FN_CAP_LOOP)
		printf(" [the list loops]");
	if (f->flags & RAE_PCI_FN_CAP_OUTSIDE)
		printf(" [a pointer leaves the space]");
	printf("\n");
	if (f->ext_cap_count) {
		printf("\tExtended capabilities:");
		for (unsigned i = 0; i < f->ext_cap_count; i++) {
			const char *name = ext_cap_name(f->ext_caps[i]);
			if (name)
				printf("%s%s", i ? ", " : " ", name);
			else
				printf("%s%#06x", i ? ", " : " ", f->ext_caps[i]);
		}
		printf("%s\n", (f->flags & RAE_PCI_FN_EXT_CAP_BAD) ? " [the list is broken]" : "");
	}
}

static void print_function(const ids_t *ids, const rae_pci_function_t *f)
{
	char vendor[NAME_MAX], device[NAME_MAX], klass[NAME_MAX], key[8];
	if (f->segment)
		printf("%04x:", f->segment);
	printf("%02x:%02x.%u ", f->bus, f->device, f->function);
	snprintf(key, sizeof(key), "%02x%02x", f->class_code, f->subclass);
	const char *class_name = ids_class(ids, key, klass, sizeof(klass));
	if (!class_name) {
		snprintf(key, sizeof(key), "%02x", f->class_code);
		class_name = ids_class(ids, key, klass, sizeof(klass));
	}
	printf("%s [%02x%02x]: ", class_name ? class_name : "Class", f->class_code, f->subclass);
	ids_lookup(ids, f->vendor_id, f->device_id, vendor, device);
	if (vendor[0])
		printf("%s ", vendor);
	else
		printf("Vendor %04x ", f->vendor_id);
	if (device[0])
		printf("%s ", device);
	else
		printf("Device %04x ", f->device_id);
	printf("[%04x:%04x] (rev %02x", f->vendor_id, f->device_id, f->revision);
	if (f->prog_if)
		printf(", prog-if %02x", f->prog_if);
	printf(")\n");
	if (f->subsystem_vendor && f->subsystem_vendor != 0xffff) {
		ids_lookup(ids, f->subsystem_vendor, -1, vendor, NULL);
		printf("\tSubsystem: %s%s[%04x:%04x]\n", vendor, vendor[0] ? " " : "",
		       f->subsystem_vendor, f->subsystem_id);
	}
	if (f->header_type == RAE_PCI_HEADER_BRIDGE)
		printf("\tBuses: secondary %02x, subordinate %02x\n", f->secondary_bus,
		       f->subordinate_bus);
	if (f->flags & RAE_PCI_FN_UNKNOWN_TYPE)
		printf("\tHeader type %02x: not read further\n", f->header_type);
	if (f->flags & RAE_PCI_FN_BARS_UNSIZED)
		printf("\tBARs not sized: a driver held the function when the service started\n");
	print_bars(f);
	print_interrupt(f);
	print_capabilities(f);
	printf("\tDriver: none\n");
}

int main(int argc, char **argv)
{
	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "usage: lspci\n");
		return 2;
	}
	rae_handle_t svc = rae_startup_handle(rae_posix_startup(), RAE_ROLE_SERVICES);
	if (svc == RAE_HANDLE_INVALID) {
		fprintf(stderr, "lspci: no handle to the service manager (RAE_ROLE_SERVICES)\n");
		return 1;
	}
	rae_handle_t pci;
	rae_status_t st = rae_service_lookup(svc, "pci", &pci, TIMEOUT_NS);
	if (st != RAE_OK) {
		fprintf(stderr, "lspci: no PCI service: %s\n", rae_status_name(st));
		return 1;
	}
	static ids_t ids;
	ids_load(&ids);
	static rae_pci_function_t records[RAE_PCI_LIST_MAX];
	uint64_t first = 0, total = 0;
	do {
		rae_msg_t m = {.tag = RAE_PCI_LIST,
			       .buf = (uint64_t)(uintptr_t)records,
			       .buf_cap = (uint32_t)sizeof(records)};
		m.words[0] = first;
		int64_t got = rae_ipc_call(pci, &m, TIMEOUT_NS);
		if (got == RAE_OK)
			got = (int64_t)m.tag;
		for (uint32_t i = 0; i < m.handle_count; i++)
			rae_handle_close(m.handles[i]);
		if (got != RAE_OK) {
			fprintf(stderr, "lspci: the PCI service did not answer: %s\n",
				rae_status_name((rae_status_t)got));
			return 1;
		}
		uint64_t n = m.buf_len / sizeof(records[0]);
		if (n > m.words[0])
			n = m.words[0];
		total = m.words[1];
		if (first == 0 && (m.words[3] & RAE_PCI_ENUM_TRUNCATED))
			fprintf(stderr, "lspci: the service keeps only the first %llu functions\n",
				(unsigned long long)total);
		for (uint64_t i = 0; i < n; i++)
			print_function(&ids, &records[i]);
		if (n == 0)
			break;
		first += n;
	} while (first < total);
	return 0;
}
