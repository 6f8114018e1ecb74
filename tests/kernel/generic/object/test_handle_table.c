/* Host tests for the handle table and object reference counts: fixed cases
 * for every error, rights, growth, limits and generation wrap-around, and
 * long seeded random runs checked against a model of the live handles. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <compiler.h>
#include <object/handle_table.h>
#include <object/object.h>

#define MAX_OBJECTS 4096

/* A kernel object of any type; destroy counts the call and frees it, so a
 * second destroy or a use after the last unref is a sanitizer report. */
typedef struct {
	kobject_t base;
	unsigned id;
} fake_obj_t;

static unsigned destroy_calls[MAX_OBJECTS];
static unsigned next_object_id;

static void fake_obj_destroy(kobject_t *o)
{
	fake_obj_t *f = (fake_obj_t *)o;

	destroy_calls[f->id]++;
	free(f);
}

static fake_obj_t *fake_obj_new(uint32_t type)
{
	fake_obj_t *f = malloc(sizeof(*f));

	assert_non_null(f);
	assert_true(next_object_id < MAX_OBJECTS);
	f->id = next_object_id++;
	destroy_calls[f->id] = 0;
	kobject_init(&f->base, type, fake_obj_destroy);
	return f;
}

static uint32_t refs(const fake_obj_t *f)
{
	return f->base.refcount;
}

/* The test's allocator: realloc/free that checks it is handed back the
 * block it gave out, counts calls, and fails on request. */
typedef struct {
	void *block;
	size_t block_bytes;
	unsigned grows;       /* grow calls, failed ones included */
	unsigned failed;      /* grow calls that returned NULL */
	unsigned releases;    /* release calls */
	unsigned fail_next;   /* fail this many coming grow calls */
	uint32_t fail_one_in; /* when nonzero: also fail each grow with chance 1/n */
} test_alloc_t;

static uint64_t rng_state;

static uint64_t rng_next(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static uint32_t rng_below(uint32_t n)
{
	return (uint32_t)(rng_next() % n);
}

static void *test_grow(void *ctx, void *old, size_t old_bytes, size_t new_bytes)
{
	test_alloc_t *a = ctx;
	void *p;

	a->grows++;
	assert_ptr_equal(old, a->block);
	assert_int_equal(old_bytes, a->block_bytes);
	assert_true(new_bytes > old_bytes);
	if (a->fail_next > 0 || (a->fail_one_in != 0 && rng_below(a->fail_one_in) == 0)) {
		if (a->fail_next > 0)
			a->fail_next--;
		a->failed++;
		return NULL;
	}
	p = realloc(old, new_bytes);
	assert_non_null(p);
	/* Garbage past the old contents: the table must set every new slot. */
	memset((char *)p + old_bytes, 0xa5, new_bytes - old_bytes);
	a->block = p;
	a->block_bytes = new_bytes;
	return p;
}

static void test_release(void *ctx, void *p)
{
	test_alloc_t *a = ctx;

	assert_ptr_equal(p, a->block);
	a->releases++;
	free(p);
	a->block = NULL;
	a->block_bytes = 0;
}

static void table_init(handle_table_t *t, test_alloc_t *a, uint32_t limit)
{
	memset(a, 0, sizeof(*a));
	assert_int_equal(handle_table_init(t, limit, test_grow, test_release, a), RAE_OK);
	assert_int_equal(handle_table_count(t), 0);
}

static rae_handle_t add_ok(handle_table_t *t, fake_obj_t *f, uint32_t rights, uint64_t badge)
{
	rae_handle_t h = RAE_HANDLE_INVALID;

	assert_int_equal(handle_table_add(t, &f->base, rights, badge, &h), RAE_OK);
	assert_int_not_equal(h, RAE_HANDLE_INVALID);
	return h;
}

static rae_status_t get_status(handle_table_t *t, rae_handle_t h, uint32_t type, uint32_t rights)
{
	return handle_table_get(t, h, type, rights, NULL, NULL, NULL);
}

/* Closes h the way the kernel will: take the reference out, drop it. */
static void close_ok(handle_table_t *t, rae_handle_t h)
{
	kobject_t *o = NULL;

	assert_int_equal(handle_table_remove(t, h, &o, NULL, NULL), RAE_OK);
	assert_non_null(o);
	kobject_unref(o);
}

static void test_handle_table_init_checks(void **state)
{
	handle_table_t t;
	test_alloc_t a = {0};

	(void)state;
	memset(&t, 0x5a, sizeof(t));
	assert_int_equal(handle_table_init(&t, 0, test_grow, test_release, &a), RAE_ERR_RANGE);
	assert_int_equal(
	    handle_table_init(&t, HANDLE_TABLE_MAX_ENTRIES + 1, test_grow, test_release, &a),
	    RAE_ERR_RANGE);
	assert_int_equal(handle_table_init(&t, 8, NULL, test_release, &a), RAE_ERR_INVALID);
	assert_int_equal(handle_table_init(&t, 8, test_grow, NULL, &a), RAE_ERR_INVALID);
	assert_int_equal(
	    handle_table_init(&t, HANDLE_TABLE_MAX_ENTRIES, test_grow, test_release, &a), RAE_OK);
	assert_int_equal(handle_table_count(&t), 0);
	/* Nothing allocated yet, so nothing to release. */
	handle_table_destroy(&t);
	assert_int_equal(a.grows, 0);
	assert_int_equal(a.releases, 0);
	assert_int_equal(get_status(&t, 1u << RAE_HANDLE_GEN_SHIFT, RAE_OBJ_NONE, 0),
			 RAE_ERR_BAD_HANDLE);
}

static void test_handle_table_round_trip(void **state)
{
	handle_table_t t;
	test_alloc_t a;
	fake_obj_t *f = fake_obj_new(RAE_OBJ_ENDPOINT);
	unsigned id = f->id;
	const uint32_t rights = RAE_RIGHT_READ | RAE_RIGHT_WRITE | RAE_RIGHT_TRANSFER;
	kobject_t *o = NULL;
	uint32_t r = 0;
	uint64_t badge = 0;
	rae_handle_t h;

	(void)state;
	table_init(&t, &a, 64);
	h = add_ok(&t, f, rights, 0x1234567890abcdefull);
	assert_int_equal(refs(f), 2);
	assert_int_equal(handle_table_count(&t), 1);

	assert_int_equal(handle_table_get(&t, h, RAE_OBJ_ENDPOINT, RAE_RIGHT_READ, &o, &r, &badge),
			 RAE_OK);
	assert_ptr_equal(o, &f->base);
	assert_int_equal(r, rights);
	assert_int_equal(badge, 0x1234567890abcdefull);
	assert_int_equal(refs(f), 3);
	kobject_unref(o);
	assert_int_equal(handle_table_get(&t, h, RAE_OBJ_NONE, 0, &o, NULL, NULL), RAE_OK);
	assert_ptr_equal(o, &f->base);
	kobject_unref(o);
	/* Without obj, a get is a check only and takes no reference. */
	assert_int_equal(handle_table_get(&t, h, RAE_OBJ_NONE, rights, NULL, &r, NULL), RAE_OK);
	assert_int_equal(refs(f), 2);

	/* remove hands the table's reference over instead of dropping it. */
	o = NULL;
	r = 0;
	badge = 0;
	assert_int_equal(handle_table_remove(&t, h, &o, &r, &badge), RAE_OK);
	assert_ptr_equal(o, &f->base);
	assert_int_equal(r, rights);
	assert_int_equal(badge, 0x1234567890abcdefull);
	assert_int_equal(refs(f), 2);
	assert_int_equal(handle_table_count(&t), 0);
	assert_int_equal(get_status(&t, h, RAE_OBJ_NONE, 0), RAE_ERR_BAD_HANDLE);
	assert_int_equal(handle_table_remove(&t, h, &o, NULL, NULL), RAE_ERR_BAD_HANDLE);
	kobject_unref(o);
	assert_int_equal(destroy_calls[id], 0);
	kobject_unref(&f->base);
	assert_int_equal(destroy_calls[id], 1);
	handle_table_destroy(&t);
	assert_int_equal(a.releases, 1);
}

static void test_handle_table_bad_arguments(void **state)
{
	handle_table_t t;
	test_alloc_t a;
	fake_obj_t *f = fake_obj_new(RAE_OBJ_MEMORY);
	rae_handle_t h = 0x77777777;
	kobject_t *o = NULL;

	(void)state;
	table_init(&t, &a, 4);
	assert_int_equal(handle_table_add(&t, NULL, 0, 0, &h), RAE_ERR_INVALID);
	assert_int_equal(handle_table_add(&t, &f->base, 0, 0, NULL), RAE_ERR_INVALID);
	assert_int_equal(handle_table_add(&t, &f->base, RAE_RIGHTS_ALL + 1, 0, &h),
			 RAE_ERR_INVALID);
	assert_int_equal(handle_table_add(&t, &f->base, 1u << 31, 0, &h), RAE_ERR_INVALID);
	assert_int_equal(h, 0x77777777);
	assert_int_equal(refs(f), 1);
	assert_int_equal(handle_table_count(&t), 0);

	h = add_ok(&t, f, RAE_RIGHTS_ALL, 0);
	assert_int_equal(handle_table_remove(&t, h, NULL, NULL, NULL), RAE_ERR_INVALID);
	assert_int_equal(handle_table_dup(&t, h, 0, NULL), RAE_ERR_INVALID);
	assert_int_equal(handle_table_count(&t), 1);
	assert_int_equal(refs(f), 2);
	/* Rights and badge outputs of remove are optional. */
	assert_int_equal(handle_table_remove(&t, h, &o, NULL, NULL), RAE_OK);
	kobject_unref(o);
	kobject_unref(&f->base);
	handle_table_destroy(&t);
}

static void test_handle_table_stale_after_reuse(void **state)
{
	handle_table_t t;
	test_alloc_t a;
	fake_obj_t *f1 = fake_obj_new(RAE_OBJ_MEMORY);
	fake_obj_t *f2 = fake_obj_new(RAE_OBJ_MEMORY);
	kobject_t *o = NULL;
	rae_handle_t h1, h2, d;

	(void)state;
	/* One slot: the new handle must reuse the closed one's slot. */
	table_init(&t, &a, 1);
	h1 = add_ok(&t, f1, RAE_RIGHTS_ALL, 1);
	close_ok(&t, h1);
	h2 = add_ok(&t, f2, RAE_RIGHTS_ALL, 2);
	assert_int_equal(h1 & RAE_HANDLE_INDEX_MASK, h2 & RAE_HANDLE_INDEX_MASK);
	assert_int_not_equal(h1, h2);

	assert_int_equal(get_status(&t, h1, RAE_OBJ_NONE, 0), RAE_ERR_BAD_HANDLE);
	assert_int_equal(get_status(&t, h1, RAE_OBJ_MEMORY, RAE_RIGHT_READ), RAE_ERR_BAD_HANDLE);
	assert_int_equal(handle_table_remove(&t, h1, &o, NULL, NULL), RAE_ERR_BAD_HANDLE);
	assert_int_equal(handle_table_dup(&t, h1, 0, &d), RAE_ERR_BAD_HANDLE);
	assert_null(o);
	assert_int_equal(handle_table_get(&t, h2, RAE_OBJ_MEMORY, 0, &o, NULL, NULL), RAE_OK);
	assert_ptr_equal(o, &f2->base);
	kobject_unref(o);
	/* The stale value did not disturb the live handle. */
	assert_int_equal(handle_table_count(&t), 1);
	assert_int_equal(refs(f2), 2);

	kobject_unref(&f1->base);
	kobject_unref(&f2->base);
	handle_table_destroy(&t);
}

static void test_handle_table_bad_values(void **state)
{
	handle_table_t t;
	test_alloc_t a;
	fake_obj_t *f = fake_obj_new(RAE_OBJ_THREAD);
	rae_handle_t live[5];
	rae_handle_t closed;
	uint32_t idx, gen;
	unsigned hits = 0;

	(void)state;
	table_init(&t, &a, 64);
	for (unsigned i = 0; i < 5; i++)
		live[i] = add_ok(&t, f, RAE_RIGHTS_ALL, i);
	closed = live[4];
	close_ok(&t, closed);
	idx = live[0] & RAE_HANDLE_INDEX_MASK;
	gen = live[0] >> RAE_HANDLE_GEN_SHIFT;
	assert_int_equal(gen, 1);

	const rae_handle_t bad[] = {
	    RAE_HANDLE_INVALID,
	    idx,                                                  /* generation 0 */
	    live[0] ^ (2u << RAE_HANDLE_GEN_SHIFT),               /* another generation */
	    (2u << RAE_HANDLE_GEN_SHIFT) | idx,                   /* a future generation */
	    (RAE_HANDLE_GEN_MAX << RAE_HANDLE_GEN_SHIFT) | idx,   /* the last generation */
	    (1u << RAE_HANDLE_GEN_SHIFT) | 15,                    /* a free slot in the array */
	    (1u << RAE_HANDLE_GEN_SHIFT) | 16,                    /* just past the array */
	    (1u << RAE_HANDLE_GEN_SHIFT) | RAE_HANDLE_INDEX_MASK, /* the highest index */
	    closed,                                               /* closed, slot still free */
	    UINT32_MAX,
	    0x80000000u,
	    0xdeadbeefu,
	};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		kobject_t sentinel;
		kobject_t *o = &sentinel;
		uint32_t r = 0xabcd;
		uint64_t b = 0xabcd;

		assert_int_equal(handle_table_get(&t, bad[i], RAE_OBJ_NONE, 0, &o, &r, &b),
				 RAE_ERR_BAD_HANDLE);
		assert_ptr_equal(o, &sentinel);
		assert_int_equal(r, 0xabcd);
		assert_int_equal(b, 0xabcd);
		assert_int_equal(handle_table_remove(&t, bad[i], &o, &r, &b), RAE_ERR_BAD_HANDLE);
		assert_int_equal(handle_table_dup(&t, bad[i], 0, &live[4]), RAE_ERR_BAD_HANDLE);
	}
	assert_int_equal(live[4], closed);

	/* A million random values: exactly the live ones are accepted. */
	rng_state = 0xbadc0ffee0ddf00dull;
	for (unsigned i = 0; i < 1000000; i++) {
		rae_handle_t h = (rae_handle_t)rng_next();
		bool is_live = false;

		/* Half of them with a small index, so they land inside the array. */
		if (i & 1)
			h = (h & ~RAE_HANDLE_INDEX_MASK) | (h & 31);
		for (unsigned j = 0; j < 4; j++)
			is_live |= h == live[j];
		hits += is_live;
		assert_int_equal(get_status(&t, h, RAE_OBJ_NONE, 0),
				 is_live ? RAE_OK : RAE_ERR_BAD_HANDLE);
	}
	assert_int_equal(handle_table_count(&t), 4);
	assert_int_equal(refs(f), 5);
	/* Some random values were live ones, so both outcomes ran. */
	assert_true(hits > 0);
	kobject_unref(&f->base);
	handle_table_destroy(&t);
}

static void test_handle_table_wrong_type(void **state)
{
	handle_table_t t;
	test_alloc_t a;
	fake_obj_t *f = fake_obj_new(RAE_OBJ_ENDPOINT);
	kobject_t *o = NULL;
	rae_handle_t h;

	(void)state;
	table_init(&t, &a, 8);
	h = add_ok(&t, f, RAE_RIGHT_READ, 0);
	for (uint32_t type = RAE_OBJ_NONE; type < RAE_OBJ_TYPE_COUNT + 3; type++) {
		rae_status_t expect =
		    type == RAE_OBJ_NONE || type == RAE_OBJ_ENDPOINT ? RAE_OK : RAE_ERR_WRONG_TYPE;

		assert_int_equal(get_status(&t, h, type, RAE_RIGHT_READ), expect);
		/* The type is checked before the rights. */
		if (expect != RAE_OK)
			assert_int_equal(get_status(&t, h, type, RAE_RIGHT_WRITE),
					 RAE_ERR_WRONG_TYPE);
	}
	assert_int_equal(handle_table_get(&t, h, RAE_OBJ_MEMORY, 0, &o, NULL, NULL),
			 RAE_ERR_WRONG_TYPE);
	assert_null(o);
	assert_int_equal(refs(f), 2);
	kobject_unref(&f->base);
	handle_table_destroy(&t);
	assert_int_equal(destroy_calls[next_object_id - 1], 1);
}

static const uint32_t all_rights[] = {
    RAE_RIGHT_READ,     RAE_RIGHT_WRITE,  RAE_RIGHT_EXECUTE, RAE_RIGHT_MAP,    RAE_RIGHT_DUPLICATE,
    RAE_RIGHT_TRANSFER, RAE_RIGHT_SIGNAL, RAE_RIGHT_WAIT,    RAE_RIGHT_MANAGE,
};

static void test_handle_table_rights_each_required(void **state)
{
	handle_table_t t;
	test_alloc_t a;
	fake_obj_t *f = fake_obj_new(RAE_OBJ_PROCESS);
	uint32_t seen = 0;

	(void)state;
	table_init(&t, &a, 8);
	for (size_t i = 0; i < ARRAY_SIZE(all_rights); i++) {
		uint32_t right = all_rights[i];
		uint32_t others = RAE_RIGHTS_ALL & ~right;
		rae_handle_t without = add_ok(&t, f, others, 0);
		rae_handle_t only = add_ok(&t, f, right, 0);
		kobject_t *o = NULL;
		uint32_t r = 0;

		/* Each right is one distinct bit, and together they are RIGHTS_ALL. */
		assert_int_equal(__builtin_popcount(right), 1);
		assert_int_equal(seen & right, 0);
		seen |= right;

		assert_int_equal(
		    handle_table_get(&t, without, RAE_OBJ_PROCESS, right, &o, &r, NULL),
		    RAE_ERR_ACCESS_DENIED);
		assert_null(o);
		assert_int_equal(r, 0);
		assert_int_equal(get_status(&t, without, RAE_OBJ_NONE, right | others),
				 RAE_ERR_ACCESS_DENIED);
		assert_int_equal(get_status(&t, without, RAE_OBJ_PROCESS, others), RAE_OK);
		assert_int_equal(get_status(&t, without, RAE_OBJ_PROCESS, 0), RAE_OK);

		assert_int_equal(get_status(&t, only, RAE_OBJ_PROCESS, right), RAE_OK);
		assert_int_equal(get_status(&t, only, RAE_OBJ_PROCESS, RAE_RIGHTS_ALL),
				 RAE_ERR_ACCESS_DENIED);
		for (size_t j = 0; j < ARRAY_SIZE(all_rights); j++) {
			if (j != i)
				assert_int_equal(get_status(&t, only, RAE_OBJ_NONE, all_rights[j]),
						 RAE_ERR_ACCESS_DENIED);
		}
		assert_int_equal(refs(f), 3);
		close_ok(&t, without);
		close_ok(&t, only);
	}
	assert_int_equal(seen, RAE_RIGHTS_ALL);
	kobject_unref(&f->base);
	handle_table_destroy(&t);
}

static void test_handle_table_dup_rights(void **state)
{
	handle_table_t t;
	test_alloc_t a;
	fake_obj_t *f = fake_obj_new(RAE_OBJ_NOTIFICATION);
	const uint32_t rights = RAE_RIGHT_READ | RAE_RIGHT_WAIT | RAE_RIGHT_DUPLICATE;
	rae_handle_t h, same, less, none, d = 0x4242;
	kobject_t *o = NULL;
	uint32_t r = 0;
	uint64_t badge = 0;

	(void)state;
	table_init(&t, &a, 16);
	h = add_ok(&t, f, rights, 0xbad9e);

	assert_int_equal(handle_table_dup(&t, h, rights, &same), RAE_OK);
	assert_int_not_equal(same, h);
	assert_int_equal(handle_table_get(&t, same, RAE_OBJ_NOTIFICATION, 0, &o, &r, &badge),
			 RAE_OK);
	assert_ptr_equal(o, &f->base);
	assert_int_equal(r, rights);
	assert_int_equal(badge, 0xbad9e);
	kobject_unref(o);

	assert_int_equal(handle_table_dup(&t, h, RAE_RIGHT_READ, &less), RAE_OK);
	assert_int_equal(handle_table_get(&t, less, RAE_OBJ_NONE, 0, NULL, &r, &badge), RAE_OK);
	assert_int_equal(r, RAE_RIGHT_READ);
	assert_int_equal(badge, 0xbad9e);
	assert_int_equal(handle_table_dup(&t, h, 0, &none), RAE_OK);
	assert_int_equal(refs(f), 5);
	assert_int_equal(handle_table_count(&t), 4);

	/* Never a right the source lacks, whichever one or however many. */
	for (size_t i = 0; i < ARRAY_SIZE(all_rights); i++) {
		if (rights & all_rights[i])
			continue;
		assert_int_equal(handle_table_dup(&t, h, all_rights[i], &d), RAE_ERR_ACCESS_DENIED);
		assert_int_equal(handle_table_dup(&t, h, rights | all_rights[i], &d),
				 RAE_ERR_ACCESS_DENIED);
	}
	assert_int_equal(handle_table_dup(&t, h, RAE_RIGHTS_ALL, &d), RAE_ERR_ACCESS_DENIED);
	assert_int_equal(handle_table_dup(&t, h, rights | (1u << 31), &d), RAE_ERR_ACCESS_DENIED);
	/* Without DUPLICATE, not even a handle with fewer rights. */
	assert_int_equal(handle_table_dup(&t, less, RAE_RIGHT_READ, &d), RAE_ERR_ACCESS_DENIED);
	assert_int_equal(handle_table_dup(&t, less, 0, &d), RAE_ERR_ACCESS_DENIED);
	assert_int_equal(handle_table_dup(&t, none, 0, &d), RAE_ERR_ACCESS_DENIED);
	assert_int_equal(d, 0x4242);
	assert_int_equal(refs(f), 5);
	assert_int_equal(handle_table_count(&t), 4);

	/* The copy lives on when the original closes. */
	close_ok(&t, h);
	assert_int_equal(get_status(&t, same, RAE_OBJ_NOTIFICATION, rights), RAE_OK);
	kobject_unref(&f->base);
	handle_table_destroy(&t);
	assert_int_equal(destroy_calls[next_object_id - 1], 1);
}

static void test_handle_table_limit(void **state)
{
	handle_table_t t;
	test_alloc_t a;
	fake_obj_t *f = fake_obj_new(RAE_OBJ_JOB);
	rae_handle_t h[3], extra = 0x99;
	unsigned grows;

	(void)state;
	table_init(&t, &a, 3);
	for (unsigned i = 0; i < 3; i++)
		h[i] = add_ok(&t, f, RAE_RIGHTS_ALL, i);
	grows = a.grows;
	assert_int_equal(handle_table_add(&t, &f->base, RAE_RIGHTS_ALL, 9, &extra), RAE_ERR_LIMIT);
	assert_int_equal(handle_table_dup(&t, h[0], RAE_RIGHT_READ, &extra), RAE_ERR_LIMIT);
	assert_int_equal(extra, 0x99);
	assert_int_equal(a.grows, grows);
	assert_int_equal(handle_table_count(&t), 3);
	assert_int_equal(refs(f), 4);
	for (unsigned i = 0; i < 3; i++) {
		uint64_t b = 0;

		assert_int_equal(handle_table_get(&t, h[i], RAE_OBJ_JOB, 0, NULL, NULL, &b),
				 RAE_OK);
		assert_int_equal(b, i);
	}
	/* The array never grows past the limit. */
	assert_int_equal(a.block_bytes, 3 * sizeof(handle_entry_t));

	close_ok(&t, h[1]);
	assert_int_equal(handle_table_dup(&t, h[0], RAE_RIGHT_READ, &extra), RAE_OK);
	assert_int_equal(handle_table_add(&t, &f->base, 0, 0, &h[1]), RAE_ERR_LIMIT);
	assert_int_equal(refs(f), 4);
	kobject_unref(&f->base);
	handle_table_destroy(&t);
	assert_int_equal(destroy_calls[next_object_id - 1], 1);
}

static void test_handle_table_no_memory(void **state)
{
	handle_table_t t;
	test_alloc_t a;
	fake_obj_t *f = fake_obj_new(RAE_OBJ_IOPORT);
	rae_handle_t h[HANDLE_TABLE_INITIAL_ENTRIES + 1], d = 0x55;

	(void)state;
	table_init(&t, &a, 1000);
	a.fail_next = 1;
	assert_int_equal(handle_table_add(&t, &f->base, 0, 0, &h[0]), RAE_ERR_NO_MEMORY);
	assert_int_equal(a.failed, 1);
	assert_int_equal(handle_table_count(&t), 0);
	assert_int_equal(refs(f), 1);
	for (unsigned i = 0; i < HANDLE_TABLE_INITIAL_ENTRIES; i++)
		h[i] = add_ok(&t, f, RAE_RIGHTS_ALL, i);
	assert_int_equal(a.grows, 2);

	/* The first array is full: growth fails, for add and dup alike. */
	a.fail_next = 2;
	assert_int_equal(handle_table_add(&t, &f->base, 0, 0, &d), RAE_ERR_NO_MEMORY);
	assert_int_equal(handle_table_dup(&t, h[0], 0, &d), RAE_ERR_NO_MEMORY);
	assert_int_equal(d, 0x55);
	assert_int_equal(a.failed, 3);
	assert_int_equal(handle_table_count(&t), HANDLE_TABLE_INITIAL_ENTRIES);
	assert_int_equal(refs(f), 1 + HANDLE_TABLE_INITIAL_ENTRIES);
	for (unsigned i = 0; i < HANDLE_TABLE_INITIAL_ENTRIES; i++)
		assert_int_equal(get_status(&t, h[i], RAE_OBJ_IOPORT, RAE_RIGHTS_ALL), RAE_OK);

	h[HANDLE_TABLE_INITIAL_ENTRIES] = add_ok(&t, f, 0, 0);
	assert_int_equal(a.block_bytes, 2 * HANDLE_TABLE_INITIAL_ENTRIES * sizeof(handle_entry_t));
	kobject_unref(&f->base);
	handle_table_destroy(&t);
	assert_int_equal(destroy_calls[next_object_id - 1], 1);
}

static void test_handle_table_growth(void **state)
{
	enum { N = 1000 };
	handle_table_t t;
	test_alloc_t a;
	fake_obj_t *f[N];
	rae_handle_t h[N];
	unsigned first = next_object_id;
	size_t expect_bytes = 0;

	(void)state;
	table_init(&t, &a, N);
	for (unsigned i = 0; i < N; i++) {
		f[i] = fake_obj_new(RAE_OBJ_MEMORY);
		h[i] = add_ok(&t, f[i], RAE_RIGHT_READ, 1000 + i);
		kobject_unref(&f[i]->base); /* the table holds the only reference */
		for (unsigned j = 0; j < i; j++)
			assert_int_not_equal(h[i], h[j]);
	}
	/* 16, 32, ..., 512, then the limit: 1000. */
	assert_int_equal(a.grows, 7);
	expect_bytes = N * sizeof(handle_entry_t);
	assert_int_equal(a.block_bytes, expect_bytes);
	assert_int_equal(handle_table_count(&t), N);
	assert_int_equal(handle_table_add(&t, &f[0]->base, 0, 0, &h[0]), RAE_ERR_LIMIT);

	/* Every entry survived each move of the array. */
	for (unsigned i = 0; i < N; i++) {
		kobject_t *o = NULL;
		uint64_t b = 0;

		assert_int_equal(
		    handle_table_get(&t, h[i], RAE_OBJ_MEMORY, RAE_RIGHT_READ, &o, NULL, &b),
		    RAE_OK);
		assert_ptr_equal(o, &f[i]->base);
		assert_int_equal(b, 1000 + i);
		assert_int_equal(refs(f[i]), 2);
		kobject_unref(o);
	}
	handle_table_destroy(&t);
	for (unsigned i = 0; i < N; i++)
		assert_int_equal(destroy_calls[first + i], 1);
	assert_int_equal(a.releases, 1);
	assert_null(a.block);
}

/* Cycles one slot through several full generation wraps while another
 * handle stays live: no value is 0 or equal to the live one, each step
 * bumps the generation by one and skips 0, and the old value is rejected. */
static void test_handle_table_generation_wrap(void **state)
{
	handle_table_t t;
	test_alloc_t a;
	fake_obj_t *f = fake_obj_new(RAE_OBJ_INTERRUPT);
	rae_handle_t keep, first, prev = RAE_HANDLE_INVALID;
	uint32_t prev_gen = 0;

	(void)state;
	/* Limit 2: the live handle holds one slot, the loop cycles the other. */
	table_init(&t, &a, 2);
	keep = add_ok(&t, f, RAE_RIGHTS_ALL, 0);
	first = add_ok(&t, f, RAE_RIGHTS_ALL, 0);
	close_ok(&t, first);
	for (unsigned i = 1; i <= 3 * RAE_HANDLE_GEN_MAX + 5; i++) {
		rae_handle_t h = add_ok(&t, f, RAE_RIGHTS_ALL, i);
		uint32_t gen = h >> RAE_HANDLE_GEN_SHIFT;

		assert_int_not_equal(h, keep);
		assert_int_equal(h & RAE_HANDLE_INDEX_MASK, first & RAE_HANDLE_INDEX_MASK);
		assert_true(gen >= 1 && gen <= RAE_HANDLE_GEN_MAX);
		assert_int_equal(gen, prev_gen == 0                    ? 2
				      : prev_gen == RAE_HANDLE_GEN_MAX ? 1
								       : prev_gen + 1);
		/* The generation just closed is rejected, as is the first. */
		if (prev != RAE_HANDLE_INVALID)
			assert_int_equal(get_status(&t, prev, RAE_OBJ_NONE, 0), RAE_ERR_BAD_HANDLE);
		assert_int_equal(get_status(&t, keep, RAE_OBJ_INTERRUPT, RAE_RIGHTS_ALL), RAE_OK);
		/* After exactly RAE_HANDLE_GEN_MAX closes the value comes back:
		 * the documented wrap. */
		if (i % RAE_HANDLE_GEN_MAX == 0)
			assert_int_equal(h, first);
		else
			assert_int_not_equal(h, first);
		close_ok(&t, h);
		prev = h;
		prev_gen = gen;
	}
	assert_int_equal(handle_table_count(&t), 1);
	assert_int_equal(refs(f), 2);

	/* A one-slot table wraps the same way. */
	handle_table_destroy(&t);
	table_init(&t, &a, 1);
	for (unsigned i = 0; i < 2 * RAE_HANDLE_GEN_MAX + 3; i++) {
		rae_handle_t h = add_ok(&t, f, 0, 0);

		assert_int_equal(h >> RAE_HANDLE_GEN_SHIFT, i % RAE_HANDLE_GEN_MAX + 1);
		close_ok(&t, h);
	}
	kobject_unref(&f->base);
	assert_int_equal(destroy_calls[next_object_id - 1], 1);
	handle_table_destroy(&t);
}

static void test_handle_table_refcounts(void **state)
{
	handle_table_t t;
	test_alloc_t a;
	fake_obj_t *f;
	unsigned id;
	kobject_t *o = NULL, *got = NULL;
	rae_handle_t h, d;

	(void)state;
	table_init(&t, &a, 8);

	/* The table's reference outlives the creator's. */
	f = fake_obj_new(RAE_OBJ_RESOURCE);
	id = f->id;
	h = add_ok(&t, f, RAE_RIGHTS_ALL, 0);
	kobject_unref(&f->base);
	assert_int_equal(destroy_calls[id], 0);
	assert_int_equal(handle_table_dup(&t, h, RAE_RIGHTS_ALL, &d), RAE_OK);
	assert_int_equal(handle_table_get(&t, h, RAE_OBJ_RESOURCE, 0, &got, NULL, NULL), RAE_OK);
	kobject_ref(got);
	close_ok(&t, h);
	close_ok(&t, d);
	kobject_unref(got);
	assert_int_equal(destroy_calls[id], 0);
	assert_int_equal(got->refcount, 1);
	kobject_unref(got);
	assert_int_equal(destroy_calls[id], 1);

	/* A removed reference handed on (a message in flight) keeps the
	 * object alive after every handle and the creator are gone. */
	f = fake_obj_new(RAE_OBJ_RESOURCE);
	id = f->id;
	h = add_ok(&t, f, RAE_RIGHTS_ALL, 0);
	kobject_unref(&f->base);
	assert_int_equal(handle_table_remove(&t, h, &o, NULL, NULL), RAE_OK);
	assert_int_equal(destroy_calls[id], 0);
	assert_int_equal(o->refcount, 1);
	/* ...and can be added back, as a receive does, then closed. */
	assert_int_equal(handle_table_add(&t, o, RAE_RIGHT_READ, 0, &h), RAE_OK);
	kobject_unref(o);
	assert_int_equal(destroy_calls[id], 0);
	close_ok(&t, h);
	assert_int_equal(destroy_calls[id], 1);
	handle_table_destroy(&t);
}

static void test_handle_table_destroy_unrefs_all(void **state)
{
	enum { N = 40 };
	handle_table_t t;
	test_alloc_t a;
	fake_obj_t *f[N];
	unsigned first = next_object_id;

	(void)state;
	table_init(&t, &a, 200);
	for (unsigned i = 0; i < N; i++) {
		rae_handle_t h;

		f[i] = fake_obj_new(1 + i % (RAE_OBJ_TYPE_COUNT - 1));
		h = add_ok(&t, f[i], RAE_RIGHTS_ALL, i);
		/* Some objects have several handles. */
		for (unsigned j = 0; j < i % 3; j++) {
			rae_handle_t d;

			assert_int_equal(handle_table_dup(&t, h, RAE_RIGHT_READ, &d), RAE_OK);
		}
		/* Closed handles must not be unreferenced a second time. */
		if (i % 5 == 0) {
			rae_handle_t c = add_ok(&t, f[i], 0, 0);

			close_ok(&t, c);
		}
		/* The test keeps its reference to every fourth object. */
		if (i % 4 != 0)
			kobject_unref(&f[i]->base);
	}
	handle_table_destroy(&t);
	assert_int_equal(handle_table_count(&t), 0);
	assert_int_equal(a.releases, 1);
	assert_null(a.block);
	for (unsigned i = 0; i < N; i++) {
		if (i % 4 != 0) {
			assert_int_equal(destroy_calls[first + i], 1);
			continue;
		}
		assert_int_equal(destroy_calls[first + i], 0);
		assert_int_equal(refs(f[i]), 1);
		kobject_unref(&f[i]->base);
		assert_int_equal(destroy_calls[first + i], 1);
	}

	/* The table is empty but usable, and a second destroy is harmless. */
	f[0] = fake_obj_new(RAE_OBJ_PROCESS);
	add_ok(&t, f[0], 0, 0);
	kobject_unref(&f[0]->base);
	handle_table_destroy(&t);
	assert_int_equal(destroy_calls[next_object_id - 1], 1);
	handle_table_destroy(&t);
	assert_int_equal(a.releases, 2);
}

/* An object whose destroy looks at the table being destroyed, as a process
 * object reachable from its own table might. */
typedef struct {
	kobject_t base;
	handle_table_t *table;
	rae_handle_t self;
	unsigned destroyed;
} observer_obj_t;

static void observer_destroy(kobject_t *o)
{
	observer_obj_t *ob = (observer_obj_t *)o;

	assert_int_equal(handle_table_count(ob->table), 0);
	assert_int_equal(get_status(ob->table, ob->self, RAE_OBJ_NONE, 0), RAE_ERR_BAD_HANDLE);
	ob->destroyed++;
}

static void test_handle_table_destroy_reentrant(void **state)
{
	handle_table_t t;
	test_alloc_t a;
	observer_obj_t ob[3];

	(void)state;
	table_init(&t, &a, 8);
	for (unsigned i = 0; i < 3; i++) {
		ob[i].table = &t;
		ob[i].destroyed = 0;
		kobject_init(&ob[i].base, RAE_OBJ_PROCESS, observer_destroy);
		assert_int_equal(handle_table_add(&t, &ob[i].base, 0, 0, &ob[i].self), RAE_OK);
		kobject_unref(&ob[i].base);
	}
	handle_table_destroy(&t);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(ob[i].destroyed, 1);
	assert_null(a.block);
}

/* --- random runs against a model ------------------------------------------ */

#define RANDOM_OBJECTS 48
#define STALE_RING     512
#define HELD_MAX       256

typedef struct {
	rae_handle_t value;
	unsigned obj; /* index into the run's objects */
	uint32_t rights;
	uint64_t badge;
} model_handle_t;

typedef struct {
	handle_table_t t;
	test_alloc_t a;
	uint32_t limit;
	fake_obj_t *objs[RANDOM_OBJECTS];
	uint32_t model_refs[RANDOM_OBJECTS]; /* the test's own + handles + held */
	model_handle_t *live;
	uint32_t nlive;
	rae_handle_t stale[STALE_RING]; /* values that were removed, newest last */
	unsigned nstale;
	unsigned held[HELD_MAX]; /* objects we hold a reference from get to */
	unsigned nheld;
	uint64_t ops[8]; /* per operation: successes, to show each path ran */
	uint32_t max_live;
	uint32_t min_live_at_drain_end;
	bool restarts;      /* whether the run destroys and remakes the table */
	uint16_t *last_gen; /* per slot: the generation issued last; 0 for none */
	unsigned wraps;     /* issues whose generation was below the slot's last */
} random_run_t;

static int model_find(const random_run_t *m, rae_handle_t h)
{
	for (uint32_t i = 0; i < m->nlive; i++) {
		if (m->live[i].value == h)
			return (int)i;
	}
	return -1;
}

static void model_forget(random_run_t *m, uint32_t i)
{
	m->stale[m->nstale % STALE_RING] = m->live[i].value;
	m->nstale++;
	m->live[i] = m->live[--m->nlive];
}

/* A value to try: usually live, sometimes stale or garbage. */
static rae_handle_t random_value(const random_run_t *m)
{
	uint32_t pick = rng_below(10);

	if (pick < 6 && m->nlive > 0)
		return m->live[rng_below(m->nlive)].value;
	if (pick < 8 && m->nstale > 0) {
		unsigned n = m->nstale < STALE_RING ? m->nstale : STALE_RING;

		return m->stale[rng_below(n)];
	}
	if (pick == 8)
		return (rae_handle_t)rng_next();
	/* A plausible index with a random generation, sometimes 0. */
	return (rae_handle_t)(rng_below(RAE_HANDLE_GEN_MAX + 1) << RAE_HANDLE_GEN_SHIFT) |
	       rng_below(m->limit + 4);
}

static uint32_t random_rights(void)
{
	switch (rng_below(4)) {
	case 0: return RAE_RIGHTS_ALL;
	case 1: return 0;
	default: return (uint32_t)rng_next() & RAE_RIGHTS_ALL;
	}
}

static void model_check(random_run_t *m)
{
	unsigned n = m->nstale < STALE_RING ? m->nstale : STALE_RING;

	/* Values are distinct: random_add and random_dup check each new one. */
	assert_int_equal(handle_table_count(&m->t), m->nlive);
	for (uint32_t i = 0; i < m->nlive; i++) {
		const model_handle_t *e = &m->live[i];
		uint32_t r = 0;
		uint64_t b = 0;
		kobject_t *o = NULL;

		assert_int_not_equal(e->value, RAE_HANDLE_INVALID);
		assert_true((e->value & RAE_HANDLE_INDEX_MASK) < m->limit);
		assert_int_equal(handle_table_get(&m->t, e->value, m->objs[e->obj]->base.type,
						  e->rights, &o, &r, &b),
				 RAE_OK);
		assert_ptr_equal(o, &m->objs[e->obj]->base);
		assert_int_equal(r, e->rights);
		assert_int_equal(b, e->badge);
		kobject_unref(o);
	}
	for (unsigned i = 0; i < n; i++) {
		rae_status_t expect = model_find(m, m->stale[i]) >= 0 ? RAE_OK : RAE_ERR_BAD_HANDLE;

		assert_int_equal(get_status(&m->t, m->stale[i], RAE_OBJ_NONE, 0), expect);
	}
	for (unsigned i = 0; i < RANDOM_OBJECTS; i++) {
		assert_int_equal(refs(m->objs[i]), m->model_refs[i]);
		assert_int_equal(destroy_calls[m->objs[i]->id], 0);
	}
	/* The array is exactly as large as the allocator thinks. */
	assert_int_equal(m->a.block_bytes, (size_t)m->t.capacity * sizeof(handle_entry_t));
	assert_true(m->t.capacity <= m->limit);
}

/* Records a newly issued value: never 0 nor a live value, and each slot's
 * generations rise by exactly one per issue, skipping 0 when they wrap. */
static void model_issue(random_run_t *m, rae_handle_t h)
{
	uint32_t index = h & RAE_HANDLE_INDEX_MASK;
	uint32_t gen = h >> RAE_HANDLE_GEN_SHIFT;
	uint32_t last = m->last_gen[index];

	assert_int_not_equal(h, RAE_HANDLE_INVALID);
	assert_int_equal(model_find(m, h), -1);
	assert_true(index < m->limit);
	assert_int_equal(gen, last == 0 || last == RAE_HANDLE_GEN_MAX ? 1 : last + 1);
	m->wraps += last == RAE_HANDLE_GEN_MAX;
	m->last_gen[index] = (uint16_t)gen;
}

static void random_add(random_run_t *m)
{
	unsigned oi = rng_below(RANDOM_OBJECTS);
	uint32_t rights = random_rights();
	uint64_t badge = rng_next();
	unsigned failed = m->a.failed;
	rae_handle_t h = 0x12345;
	rae_status_t s = handle_table_add(&m->t, &m->objs[oi]->base, rights, badge, &h);

	if (m->nlive == m->limit) {
		assert_int_equal(s, RAE_ERR_LIMIT);
	} else if (m->a.failed != failed) {
		assert_int_equal(s, RAE_ERR_NO_MEMORY);
	} else {
		assert_int_equal(s, RAE_OK);
		model_issue(m, h);
		m->live[m->nlive++] = (model_handle_t){h, oi, rights, badge};
		m->model_refs[oi]++;
		m->ops[0]++;
		return;
	}
	assert_int_equal(h, 0x12345);
}

static void random_dup(random_run_t *m)
{
	rae_handle_t h = random_value(m);
	int i = model_find(m, h);
	uint32_t new_rights =
	    rng_below(3) == 0 ? random_rights() | (1u << rng_below(32)) : random_rights();
	unsigned failed = m->a.failed;
	rae_handle_t d = 0x12345;
	rae_status_t s;

	/* Mostly a subset, so that the success path runs often. */
	if (i >= 0 && rng_below(2) == 0)
		new_rights &= m->live[i].rights;
	s = handle_table_dup(&m->t, h, new_rights, &d);
	if (i < 0) {
		assert_int_equal(s, RAE_ERR_BAD_HANDLE);
	} else if (!(m->live[i].rights & RAE_RIGHT_DUPLICATE) ||
		   (new_rights & ~m->live[i].rights) != 0) {
		assert_int_equal(s, RAE_ERR_ACCESS_DENIED);
	} else if (m->nlive == m->limit) {
		assert_int_equal(s, RAE_ERR_LIMIT);
	} else if (m->a.failed != failed) {
		assert_int_equal(s, RAE_ERR_NO_MEMORY);
	} else {
		model_handle_t e = m->live[i];

		assert_int_equal(s, RAE_OK);
		model_issue(m, d);
		e.value = d;
		e.rights = new_rights;
		m->live[m->nlive++] = e;
		m->model_refs[e.obj]++;
		m->ops[1]++;
		return;
	}
	assert_int_equal(d, 0x12345);
}

static void random_get(random_run_t *m)
{
	rae_handle_t h = random_value(m);
	int i = model_find(m, h);
	uint32_t type = rng_below(RAE_OBJ_TYPE_COUNT);
	uint32_t needed = random_rights();
	kobject_t *o = NULL;
	uint32_t r = 0xeeee;
	uint64_t b = 0xeeee;
	rae_status_t s;

	if (i >= 0 && rng_below(2) == 0)
		type = m->objs[m->live[i].obj]->base.type;
	if (i >= 0 && rng_below(2) == 0)
		needed &= m->live[i].rights;
	s = handle_table_get(&m->t, h, type, needed, &o, &r, &b);
	if (i < 0) {
		assert_int_equal(s, RAE_ERR_BAD_HANDLE);
	} else if (type != RAE_OBJ_NONE && type != m->objs[m->live[i].obj]->base.type) {
		assert_int_equal(s, RAE_ERR_WRONG_TYPE);
	} else if ((needed & ~m->live[i].rights) != 0) {
		assert_int_equal(s, RAE_ERR_ACCESS_DENIED);
	} else {
		unsigned oi = m->live[i].obj;

		assert_int_equal(s, RAE_OK);
		assert_ptr_equal(o, &m->objs[oi]->base);
		assert_int_equal(r, m->live[i].rights);
		assert_int_equal(b, m->live[i].badge);
		m->ops[2]++;
		if (m->nheld < HELD_MAX && rng_below(4) == 0) {
			m->held[m->nheld++] = oi;
			m->model_refs[oi]++;
		} else {
			kobject_unref(o);
		}
		return;
	}
	assert_null(o);
	assert_int_equal(r, 0xeeee);
	assert_int_equal(b, 0xeeee);
}

static void random_remove(random_run_t *m)
{
	rae_handle_t h = random_value(m);
	int i = model_find(m, h);
	kobject_t *o = NULL;
	uint32_t r = 0;
	uint64_t b = 0;
	rae_status_t s = handle_table_remove(&m->t, h, &o, &r, &b);

	if (i < 0) {
		assert_int_equal(s, RAE_ERR_BAD_HANDLE);
		assert_null(o);
		return;
	}
	assert_int_equal(s, RAE_OK);
	assert_ptr_equal(o, &m->objs[m->live[i].obj]->base);
	assert_int_equal(r, m->live[i].rights);
	assert_int_equal(b, m->live[i].badge);
	m->model_refs[m->live[i].obj]--;
	kobject_unref(o);
	model_forget(m, (uint32_t)i);
	/* Rejected at once, whatever reuse follows. */
	assert_int_equal(get_status(&m->t, h, RAE_OBJ_NONE, 0), RAE_ERR_BAD_HANDLE);
	m->ops[3]++;
}

static void random_drop_held(random_run_t *m)
{
	unsigned k;

	if (m->nheld == 0)
		return;
	k = rng_below(m->nheld);
	kobject_unref(&m->objs[m->held[k]]->base);
	m->model_refs[m->held[k]]--;
	m->held[k] = m->held[--m->nheld];
	m->ops[4]++;
}

/* Destroys the whole table (a process exit) and starts a new one. */
static void random_restart(random_run_t *m)
{
	while (m->nlive > 0) {
		m->model_refs[m->live[0].obj]--;
		model_forget(m, 0);
	}
	handle_table_destroy(&m->t);
	assert_null(m->a.block);
	assert_int_equal(handle_table_init(&m->t, m->limit, test_grow, test_release, &m->a),
			 RAE_OK);
	/* A new table issues generation 1 again. */
	memset(m->last_gen, 0, m->limit * sizeof(*m->last_gen));
	m->ops[5]++;
}

static void random_run(uint32_t limit, uint32_t fail_one_in, bool restarts, uint64_t seed,
		       unsigned nops)
{
	random_run_t *m = calloc(1, sizeof(*m));
	unsigned first;

	assert_non_null(m);
	m->limit = limit;
	m->live = calloc(limit, sizeof(*m->live));
	m->last_gen = calloc(limit, sizeof(*m->last_gen));
	assert_true(m->live && m->last_gen);
	m->restarts = restarts;
	rng_state = seed;
	table_init(&m->t, &m->a, limit);
	m->a.fail_one_in = fail_one_in;
	m->min_live_at_drain_end = UINT32_MAX;
	next_object_id = 0;
	first = next_object_id;
	for (unsigned i = 0; i < RANDOM_OBJECTS; i++) {
		m->objs[i] = fake_obj_new(1 + i % (RAE_OBJ_TYPE_COUNT - 1));
		m->model_refs[i] = 1;
	}
	for (unsigned op = 0; op < nops; op++) {
		/* Phases of 20 000 operations alternately fill the table to its
		 * limit and drain it: upper bounds of each operation's share. */
		static const uint16_t fill[] = {300, 450, 700, 900, 990, 999};
		static const uint16_t drain[] = {80, 130, 400, 960, 990, 999};
		const uint16_t *bound = (op / 20000) % 2 == 0 ? fill : drain;
		uint32_t pick = rng_below(1000);

		if (pick < bound[0])
			random_add(m);
		else if (pick < bound[1])
			random_dup(m);
		else if (pick < bound[2])
			random_get(m);
		else if (pick < bound[3])
			random_remove(m);
		else if (pick < bound[4])
			random_drop_held(m);
		else if (pick < bound[5])
			model_check(m);
		else if (m->restarts && rng_below(20) == 0)
			random_restart(m);
		if (m->nlive > m->max_live)
			m->max_live = m->nlive;
		if (op % 20000 == 19999 && m->nlive < m->min_live_at_drain_end)
			m->min_live_at_drain_end = m->nlive;
	}
	model_check(m);
	/* Every path ran, including failures of the allocator. */
	for (unsigned i = 0; i < 5; i++)
		assert_true(m->ops[i] > 0);
	assert_true(!restarts || m->ops[5] > 0);
	if (fail_one_in != 0)
		assert_true(m->a.failed > 0);
	assert_true(restarts || m->wraps >= limit);
	/* The run reached the limit, and drained far below it again. */
	assert_int_equal(m->max_live, limit);
	assert_true(m->min_live_at_drain_end < limit / 2 + 1);
	print_message("# %u ops: %llu adds, %llu dups, %llu gets, %llu removes, %llu restarts, "
		      "%u failed grows, %u generation wraps, min live %u\n",
		      nops, (unsigned long long)m->ops[0], (unsigned long long)m->ops[1],
		      (unsigned long long)m->ops[2], (unsigned long long)m->ops[3],
		      (unsigned long long)m->ops[5], m->a.failed, m->wraps,
		      m->min_live_at_drain_end);

	handle_table_destroy(&m->t);
	assert_null(m->a.block);
	while (m->nheld > 0)
		random_drop_held(m);
	for (unsigned i = 0; i < RANDOM_OBJECTS; i++) {
		unsigned id = m->objs[i]->id;

		assert_int_equal(refs(m->objs[i]), 1);
		kobject_unref(&m->objs[i]->base);
		assert_int_equal(destroy_calls[id], 1);
	}
	assert_int_equal(next_object_id - first, RANDOM_OBJECTS);
	free(m->live);
	free(m->last_gen);
	free(m);
}

/* A tiny table, never remade: constant slot reuse wraps every slot's
 * generation, and the limit is hit often. */
static void test_handle_table_random_small(void **state)
{
	(void)state;
	random_run(3, 0, false, 0x5eed0101, 300000);
}

/* A table that grows to several hundred entries, with one growth in eight
 * failing for lack of memory. */
static void test_handle_table_random_large(void **state)
{
	(void)state;
	random_run(700, 8, true, 0x5eed0102, 150000);
}

static int reset_objects(void **state)
{
	(void)state;
	next_object_id = 0;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_handle_table_init_checks, reset_objects),
	    cmocka_unit_test_setup(test_handle_table_round_trip, reset_objects),
	    cmocka_unit_test_setup(test_handle_table_bad_arguments, reset_objects),
	    cmocka_unit_test_setup(test_handle_table_stale_after_reuse, reset_objects),
	    cmocka_unit_test_setup(test_handle_table_bad_values, reset_objects),
	    cmocka_unit_test_setup(test_handle_table_wrong_type, reset_objects),
	    cmocka_unit_test_setup(test_handle_table_rights_each_required, reset_objects),
	    cmocka_unit_test_setup(test_handle_table_dup_rights, reset_objects),
	    cmocka_unit_test_setup(test_handle_table_limit, reset_objects),
	    cmocka_unit_test_setup(test_handle_table_no_memory, reset_objects),
	    cmocka_unit_test_setup(test_handle_table_growth, reset_objects),
	    cmocka_unit_test_setup(test_handle_table_generation_wrap, reset_objects),
	    cmocka_unit_test_setup(test_handle_table_refcounts, reset_objects),
	    cmocka_unit_test_setup(test_handle_table_destroy_unrefs_all, reset_objects),
	    cmocka_unit_test_setup(test_handle_table_destroy_reentrant, reset_objects),
	    cmocka_unit_test_setup(test_handle_table_random_small, reset_objects),
	    cmocka_unit_test_setup(test_handle_table_random_large, reset_objects),
	};

	return cmocka_run_group_tests_name("handle_table", tests, NULL, NULL);
}
