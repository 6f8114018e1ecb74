/* The architecture's part of the boot banner. */
#ifndef HAL_BANNER_H
#define HAL_BANNER_H

/* "x86_64" and so on. */
const char *hal_arch_name(void);

/* Prints the CPU line and the protections line, read from the live control
 * registers (what is on, not merely what CPUID offers). */
void hal_banner_print(void);

/* Prints the address-space layout line (KASLR state; the bases only when
 * the command line says kaslr=show). */
void hal_banner_layout(void);

/* Prints the platform lines: firmware tables, interrupt controllers, time
 * source, CPUs online. */
void hal_platform_report(void);

#endif
