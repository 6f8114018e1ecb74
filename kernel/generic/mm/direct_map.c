/* The direct map's location. Until the kernel's own page tables are
 * loaded, the boot stub's map of the low 4 GiB at 0xffff800000000000 plays
 * its part; boot code then moves it to the KASLR-chosen base. */
#include <mm/phys.h>

uintptr_t direct_map_base = 0xffff800000000000ull;
paddr_t direct_map_end = 4ull << 30;
