/* Host tests for the ACPI service's _PRT walker (services/acpi/prt.c):
 * GSI and link records decoded, and every malformed record refused before
 * anything past it is read. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "acpi/prt.h"

static uint8_t buf[1024];
static size_t len;
static prt_entry_t out[8];

static void put32(size_t at, uint32_t v)
{
	memcpy(buf + at, &v, sizeof(v));
}

static void put64(size_t at, uint64_t v)
{
	memcpy(buf + at, &v, sizeof(v));
}

/* Appends one record as ACPICA lays it out: the source's NUL included,
 * the length rounded up to 8. Returns its offset. */
static size_t add(uint32_t device, uint32_t pin, uint32_t index, const char *source)
{
	size_t at = len, n = strlen(source) + 1;
	uint32_t rec = (uint32_t)((PRT_OFFSET_SOURCE + n + 7) & ~(size_t)7);
	if (rec < PRT_RECORD_MIN)
		rec = PRT_RECORD_MIN;
	memset(buf + at, 0, rec);
	put32(at + PRT_OFFSET_LENGTH, rec);
	put32(at + PRT_OFFSET_PIN, pin);
	put64(at + PRT_OFFSET_ADDRESS, (uint64_t)device << 16 | 0xffff);
	put32(at + PRT_OFFSET_SOURCE_INDEX, index);
	memcpy(buf + at + PRT_OFFSET_SOURCE, source, n);
	len += rec;
	return at;
}

static void end(void)
{
	put32(len, 0);
	len += 4;
}

static int setup(void **state)
{
	(void)state;
	memset(buf, 0xaa, sizeof(buf));
	memset(out, 0, sizeof(out));
	len = 0;
	return 0;
}

static void test_prt_gsi_and_link(void **state)
{
	(void)state;
	add(1, 0, 16, "");
	add(31, 3, 0, "\\_SB_.PCI0.LNKD");
	end();
	assert_int_equal(prt_decode(buf, len, out, 8), 2);
	assert_int_equal(out[0].device, 1);
	assert_int_equal(out[0].pin, 0);
	assert_int_equal(out[0].source_index, 16);
	assert_string_equal(out[0].source, "");
	assert_int_equal(out[1].device, 31);
	assert_int_equal(out[1].pin, 3);
	assert_string_equal(out[1].source, "\\_SB_.PCI0.LNKD");
}

static void test_prt_empty(void **state)
{
	(void)state;
	end();
	assert_int_equal(prt_decode(buf, len, out, 8), 0);
}

static void test_prt_counts_past_max(void **state)
{
	(void)state;
	for (uint32_t i = 0; i < 5; i++)
		add(i, i % 4, 16 + i, "");
	end();
	assert_int_equal(prt_decode(buf, len, out, 2), 5);
	assert_int_equal(out[1].device, 1);
	assert_int_equal(out[2].device, 0); /* untouched */
}

static void test_prt_truncated(void **state)
{
	(void)state;
	add(1, 0, 16, "LNKA");
	/* No end marker at all, then a record cut short. */
	assert_int_equal(prt_decode(buf, len, out, 8), RAE_ERR_TRUNCATED);
	assert_int_equal(prt_decode(buf, len - 1, out, 8), RAE_ERR_TRUNCATED);
	assert_int_equal(prt_decode(buf, 2, out, 8), RAE_ERR_TRUNCATED);
	assert_int_equal(prt_decode(buf, 0, out, 8), RAE_ERR_TRUNCATED);
}

static void test_prt_invalid(void **state)
{
	(void)state;
	size_t at = add(1, 0, 16, "");
	end();
	put32(at + PRT_OFFSET_LENGTH, 8); /* shorter than a record */
	assert_int_equal(prt_decode(buf, len, out, 8), RAE_ERR_INVALID);
	put32(at + PRT_OFFSET_LENGTH, PRT_RECORD_MIN);
	put32(at + PRT_OFFSET_PIN, 4);
	assert_int_equal(prt_decode(buf, len, out, 8), RAE_ERR_INVALID);
	put32(at + PRT_OFFSET_PIN, 0);
	put64(at + PRT_OFFSET_ADDRESS, 32ull << 16);
	assert_int_equal(prt_decode(buf, len, out, 8), RAE_ERR_INVALID);
	put64(at + PRT_OFFSET_ADDRESS, 2ull << 16);
	memset(buf + at + PRT_OFFSET_SOURCE, 'x', PRT_RECORD_MIN - PRT_OFFSET_SOURCE); /* no NUL */
	assert_int_equal(prt_decode(buf, len, out, 8), RAE_ERR_INVALID);
}

static void test_prt_source_too_long(void **state)
{
	(void)state;
	char name[PRT_SOURCE_MAX + 1];
	memset(name, 'L', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	add(3, 1, 0, name);
	end();
	assert_int_equal(prt_decode(buf, len, out, 8), RAE_ERR_INVALID);
	name[PRT_SOURCE_MAX - 1] = '\0'; /* the longest that fits */
	setup(NULL);
	add(3, 1, 0, name);
	end();
	assert_int_equal(prt_decode(buf, len, out, 8), 1);
	assert_int_equal(strlen(out[0].source), PRT_SOURCE_MAX - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_prt_gsi_and_link, setup),
	    cmocka_unit_test_setup(test_prt_empty, setup),
	    cmocka_unit_test_setup(test_prt_counts_past_max, setup),
	    cmocka_unit_test_setup(test_prt_truncated, setup),
	    cmocka_unit_test_setup(test_prt_invalid, setup),
	    cmocka_unit_test_setup(test_prt_source_too_long, setup),
	};

	return cmocka_run_group_tests_name("acpid_prt", tests, NULL, NULL);
}
