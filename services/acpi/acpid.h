/* rae-acpid, the ACPI service: what its parts share. main.c starts ACPICA
 * and serves the protocol (abi/rae/acpi.h), osl.c is ACPICA's OS layer,
 * power.c turns the machine off or resets it, routes.c reads the PCI
 * interrupt routing, tables.c checks the kernel's copy of the tables. */
#ifndef SERVICES_ACPI_ACPID_H
#define SERVICES_ACPI_ACPID_H

#include <rae.h>
#include <rae/acpi.h>

#include "tables.h"

/* Set by main before ACPICA starts, never changed afterwards. */
extern rae_handle_t acpid_root;     /* the root resource (grants = root-resource) */
extern rae_handle_t acpid_services; /* the name service, for RAE_SVC_SHUTDOWN */
extern acpi_copy_t acpid_tables;    /* a private, writable copy of the tables */

/* Points this thread's FS base at an identity of its own, which
 * acpi_os_get_thread_id reads; every thread that runs ACPICA calls it
 * first. Exits the process when out of memory. */
void osl_thread_init(void);

/* Lets this process use ports [port, port + count) (once per port);
 * RAE_OK, or the error of IOPORT_CREATE / IOPORT_ENABLE. */
rae_status_t osl_ports_enable(uint16_t port, unsigned count);

/* Installs the power button's handler: a press powers the machine off
 * cleanly (power.c). RAE_OK, or RAE_ERR_UNSUPPORTED when the firmware has
 * no fixed power button. */
rae_status_t power_button_init(void);

/* Stops every other service (RAE_SVC_SHUTDOWN), then enters S5. Returns
 * only on failure, with what failed (RAE_ERR_BUSY while another power-off
 * or reset is under way). */
rae_status_t power_off(void);

/* Stops every other service, then resets the machine: the FADT reset
 * register, the 8042, a triple fault. Returns only on failure (as
 * power_off, RAE_ERR_BUSY included). */
rae_status_t power_reset(void);

/* Fills out[] with the root bridge's PCI interrupt routes, from index
 * `first` on, at most max; *total gets how many there are. Returns the
 * number filled, or an error (RAE_ERR_NOT_FOUND: no root bridge or _PRT). */
int64_t routes_read(unsigned first, rae_acpi_route_t *out, unsigned max, unsigned *total);

#endif
