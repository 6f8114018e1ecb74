/* Host tests of lspci's reader of the packed pci.ids table
 * (apps/coreutils/lspci.c; the format: tools/build/pciids.py): names made
 * of listed and literal words, classes, unknown IDs, and damaged tables
 * (bad header, sections outside the file, unterminated words, records cut
 * short, word indices past the list), which must give no names and never
 * read outside the table (ASan). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lspci_ids.h"

typedef struct {
	uint8_t bytes[1024];
	size_t len;
} blob_t;

static void put(blob_t *b, const void *p, size_t n)
{
	memcpy(b->bytes + b->len, p, n);
	b->len += n;
}

static void put16(blob_t *b, uint16_t v)
{
	uint8_t x[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
	put(b, x, 2);
}

static void put32(blob_t *b, uint32_t v)
{
	uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
	put(b, x, 4);
}

/* A literal word: 0xff 0xff, the word, NUL. */
static void literal(blob_t *b, const char *w)
{
	uint8_t esc[2] = {0xff, 0xff};
	put(b, esc, 2);
	put(b, w, strlen(w) + 1);
}

static void byte(blob_t *b, uint8_t v)
{
	put(b, &v, 1);
}

/* Words "Intel" "Corporation" "Ethernet"; vendors 1af4 (Red Hat,: literal
 * words; device 1005 "Ethernet") and 8086 (Intel Corporation; 10d3
 * "82574L Ethernet", 2918 naming word 127, which is not there); two classes. */
static size_t table(uint8_t *out)
{
	static const char words[] = "Intel\0Corporation\0Ethernet";
	static const char classes[] = "02 Network controller\n0200 Ethernet controller\n";
	blob_t rec = {.len = 0};
	literal(&rec, "Red");
	literal(&rec, "Hat,");
	byte(&rec, 0);
	put16(&rec, 1);
	put16(&rec, 0x1005);
	byte(&rec, 3);
	byte(&rec, 0);
	uint32_t intel = (uint32_t)rec.len;
	byte(&rec, 1);
	byte(&rec, 2);
	byte(&rec, 0);
	put16(&rec, 2);
	put16(&rec, 0x10d3);
	literal(&rec, "82574L");
	byte(&rec, 3);
	byte(&rec, 0);
	put16(&rec, 0x2918);
	byte(&rec, 0x80);
	byte(&rec, 0x00);
	byte(&rec, 0);

	blob_t t = {.len = 0};
	put(&t, "RAEPCI1", 8);
	uint32_t at = 8 + 32;
	put32(&t, 3);
	put32(&t, at);
	at += sizeof(words);
	put32(&t, 2);
	put32(&t, at);
	at += 16;
	put32(&t, (uint32_t)rec.len);
	put32(&t, at);
	at += (uint32_t)rec.len;
	put32(&t, (uint32_t)strlen(classes));
	put32(&t, at);
	put(&t, words, sizeof(words));
	put16(&t, 0x1af4);
	put16(&t, 0);
	put32(&t, 0);
	put16(&t, 0x8086);
	put16(&t, 0);
	put32(&t, intel);
	put(&t, rec.bytes, rec.len);
	put(&t, classes, strlen(classes));
	memcpy(out, t.bytes, t.len);
	return t.len;
}

/* A heap copy of the first n bytes with the NUL ids_parse expects after them. */
static uint8_t *copy(const uint8_t *from, size_t n)
{
	uint8_t *p = malloc(n + 1);
	memcpy(p, from, n);
	p[n] = 0;
	return p;
}

static void release(ids_t *ids, uint8_t *data)
{
	free(ids->words);
	free(data);
}

static void test_names_and_classes(void **state)
{
	(void)state;
	uint8_t t[1024];
	size_t n = table(t);
	uint8_t *data = copy(t, n);
	ids_t ids;
	assert_true(ids_parse(&ids, data, n));
	char vendor[NAME_MAX], device[NAME_MAX], klass[NAME_MAX];
	ids_lookup(&ids, 0x8086, 0x10d3, vendor, device);
	assert_string_equal(vendor, "Intel Corporation");
	assert_string_equal(device, "82574L Ethernet");
	ids_lookup(&ids, 0x1af4, 0x1005, vendor, device);
	assert_string_equal(vendor, "Red Hat,");
	assert_string_equal(device, "Ethernet");
	/* A word index past the list: no device name, the vendor's stays. */
	ids_lookup(&ids, 0x8086, 0x2918, vendor, device);
	assert_string_equal(vendor, "Intel Corporation");
	assert_string_equal(device, "");
	ids_lookup(&ids, 0x8086, 0x1234, vendor, device);
	assert_string_equal(device, "");
	ids_lookup(&ids, 0x1234, 0x1111, vendor, device);
	assert_string_equal(vendor, "");
	ids_lookup(&ids, 0x1af4, -1, vendor, NULL);
	assert_string_equal(vendor, "Red Hat,");
	assert_string_equal(ids_class(&ids, "0200", klass, sizeof(klass)), "Ethernet controller");
	assert_string_equal(ids_class(&ids, "02", klass, sizeof(klass)), "Network controller");
	assert_null(ids_class(&ids, "03", klass, sizeof(klass)));
	assert_null(ids_class(&ids, "020", klass, sizeof(klass)));
	release(&ids, data);
}

static void test_damaged_header(void **state)
{
	(void)state;
	uint8_t t[1024];
	size_t n = table(t);
	ids_t ids;
	uint8_t *data = copy(t, n);
	data[0] = 'X';
	assert_false(ids_parse(&ids, data, n));
	free(data);
	/* The vendor section said to be longer than the file. */
	data = copy(t, n);
	data[16] = 0xff;
	assert_false(ids_parse(&ids, data, n));
	free(data);
	/* The word list without its last NUL. */
	data = copy(t, n);
	memset(data + 40, 'x', 27);
	assert_false(ids_parse(&ids, data, n));
	free(data);
}

/* Every prefix of the table, and every byte changed: a parse may fail or
 * succeed, a lookup may find names or not, but nothing reads outside. */
static void test_cut_and_changed_tables(void **state)
{
	(void)state;
	uint8_t t[1024];
	size_t n = table(t);
	char vendor[NAME_MAX], device[NAME_MAX], klass[NAME_MAX];
	for (size_t len = 0; len <= n; len++) {
		uint8_t *data = copy(t, len);
		ids_t ids;
		if (ids_parse(&ids, data, len)) {
			ids_lookup(&ids, 0x8086, 0x10d3, vendor, device);
			ids_lookup(&ids, 0x1af4, 0x1005, vendor, device);
			ids_class(&ids, "0200", klass, sizeof(klass));
			free(ids.words);
		}
		free(data);
	}
	for (size_t i = 0; i < n; i++) {
		for (unsigned v = 0; v < 256; v += 51) {
			uint8_t *data = copy(t, n);
			data[i] = (uint8_t)v;
			ids_t ids;
			if (ids_parse(&ids, data, n)) {
				ids_lookup(&ids, 0x8086, 0x10d3, vendor, device);
				ids_lookup(&ids, 0x8086, 0x2918, vendor, device);
				ids_lookup(&ids, 0x1af4, 0x1005, vendor, device);
				ids_class(&ids, "02", klass, sizeof(klass));
				free(ids.words);
			}
			free(data);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_names_and_classes),
	    cmocka_unit_test(test_damaged_header),
	    cmocka_unit_test(test_cut_and_changed_tables),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
