/* Pages on demand: a program's bss past its file data is mapped page by
 * page at first touch. Untouched bss holds no memory, reads as zeros, takes
 * writes from the program and from the kernel (a system call's output, a
 * futex word nobody wrote yet), and each touched page is counted once as
 * the program's image. Exits with the number of failed checks. */
#include <rae.h>

#define PAGE  4096ull
#define PAGES 64

static int failures;
static volatile uint8_t big[PAGES * PAGE] __attribute__((aligned(4096)));
static rae_system_info_t far_info; /* nobody writes it before the kernel */
static uint32_t untouched_word;

static void check(int ok, const char *what)
{
	if (!ok) {
		failures++;
		rae_printf("demandtest: FAILED: %s\n", what);
	}
}

static uint64_t image_pages(void)
{
	rae_system_info_t info;
	if (rae_system_info(&info) != RAE_OK || info.mem_uses <= RAE_MEM_USER_IMAGE)
		return 0;
	return info.mem_pages[RAE_MEM_USER_IMAGE];
}

int main(uint64_t arg)
{
	(void)arg;
	check(rae_system_info(&far_info) == RAE_OK && far_info.total_pages > 0,
	      "the kernel writes into an untouched bss page");
	check(rae_futex_wait(&untouched_word, 1, 1000000) == RAE_FUTEX_CHANGED,
	      "a futex word in an untouched bss page is read, not refused");

	uint64_t before = image_pages();
	unsigned zeros = 0;
	for (unsigned i = 0; i < PAGES / 2; i++)
		zeros += big[i * PAGE] == 0; /* reading maps a page too */
	uint64_t read = image_pages();
	for (unsigned i = 0; i < PAGES; i++)
		big[i * PAGE + i] = (uint8_t)(i + 1);
	uint64_t written = image_pages();
	unsigned kept = 0;
	for (unsigned i = 0; i < PAGES; i++)
		kept += big[i * PAGE + i] == (uint8_t)(i + 1);
	rae_printf("demandtest: image pages %llu, %llu after reading 32 bss pages, %llu after "
		   "writing 64\n",
		   (unsigned long long)before, (unsigned long long)read,
		   (unsigned long long)written);
	check(zeros == PAGES / 2, "untouched bss reads as zeros");
	check(kept == PAGES, "bss keeps what is written");
	/* Other programs may touch their own pages meanwhile; ours are exact. */
	check(read >= before + PAGES / 2, "each page read is mapped");
	check(written >= read + PAGES / 2, "each further page written is mapped");
	check(written - before < PAGES + 8, "and nothing much more");
	rae_puts(failures ? "demandtest: some checks failed\n" : "demandtest: all checks passed\n");
	return failures;
}
