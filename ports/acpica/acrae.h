/* ACPICA's platform header for RaeenOS (as aclinux.h is Linux's): the ACPI
 * service (services/acpi) runs ACPICA in user space, freestanding, with the
 * C library pieces ACPICA needs from librae/klib and services/acpi/clib.c.
 * ports/acpica/build.sh copies it to include/acpi/platform/acrae.h. */
#ifndef __ACRAE_H__
#define __ACRAE_H__

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A C library is there (ours), so ACPICA uses it and not its own. */
#define ACPI_USE_SYSTEM_CLIBRARY
#define ACPI_USE_DO_WHILE_0
/* ACPICA's own object caches over AcpiOsAllocate (utcache.c). */
#define ACPI_USE_LOCAL_CACHE
/* The service reads PCI configuration space for AML (osl.c). */
#define ACPI_PCI_CONFIGURED

#define ACPI_MACHINE_WIDTH        64
#define COMPILER_DEPENDENT_INT64  long
#define COMPILER_DEPENDENT_UINT64 unsigned long

/* ACPICA's mutexes are binary semaphores (osl.c); locks and semaphores
 * are pointers to osl.c's objects (actypes.h's defaults). */
#define ACPI_MUTEX_TYPE ACPI_BINARY_SEMAPHORE

/* WBINVD is privileged; QEMU's S5 needs no cache flush, and a user-space
 * service cannot give one. */
#define ACPI_FLUSH_CPU_CACHE()

#ifndef __cdecl
#define __cdecl
#endif
/* The Linux-style tree's declarators, meaningless here. */
#ifndef __iomem
#define __iomem
#endif
#ifndef __init
#define __init
#endif

/* The C library ACPICA calls (ACPI_USE_SYSTEM_CLIBRARY): the string
 * routines come from the kernel's string.c (built into librae), the rest
 * from services/acpi/clib.c. ACPICA's utprint.c has its own snprintf. */
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strcpy(char *restrict dst, const char *restrict src);
char *strncpy(char *restrict dst, const char *restrict src, size_t n);
char *strcat(char *restrict dst, const char *restrict src);
int isdigit(int c);
int isxdigit(int c);
int isspace(int c);
int isprint(int c);
int toupper(int c);
int tolower(int c);

#endif
