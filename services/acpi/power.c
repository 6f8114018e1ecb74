/* Power: S5 (soft-off) through ACPICA, a reset through the FADT's reset
 * register with the 8042 and a triple fault behind it, and the power
 * button, which turns the machine off the same clean way. */
#include <acpi.h>
#include <rae_services.h>

#include "acpid.h"

/* How long the manager may take to receive the shutdown call. */
#define POWER_SHUTDOWN_CALL_NS 10000000000ull

/* Asks the service manager to stop every other service first, so that
 * nothing is cut off halfway; a manager that cannot is reported, and the
 * machine goes down all the same. */
static void power_stop_services(const char *why)
{
	uint64_t stopped = 0;
	rae_printf("acpid: %s: stopping the services\n", why);
	rae_status_t st = rae_service_shutdown(acpid_services, &stopped, POWER_SHUTDOWN_CALL_NS);
	if (st == RAE_OK)
		rae_printf("acpid: %llu services stopped\n", (unsigned long long)stopped);
	else
		rae_printf("acpid: the service manager did not stop the services: %s\n",
			   rae_status_name(st));
}

/* Set while a power-off or reset is under way (the power button's worker
 * and a client's call can race): a second one is RAE_ERR_BUSY. */
static uint32_t power_busy;

static rae_status_t power_off_locked(void);
static rae_status_t power_reset_locked(void);

rae_status_t power_off(void)
{
	if (__atomic_exchange_n(&power_busy, 1, __ATOMIC_ACQUIRE))
		return RAE_ERR_BUSY;
	rae_status_t st = power_off_locked();
	__atomic_store_n(&power_busy, 0, __ATOMIC_RELEASE);
	return st;
}

rae_status_t power_reset(void)
{
	if (__atomic_exchange_n(&power_busy, 1, __ATOMIC_ACQUIRE))
		return RAE_ERR_BUSY;
	rae_status_t st = power_reset_locked();
	__atomic_store_n(&power_busy, 0, __ATOMIC_RELEASE);
	return st;
}

static rae_status_t power_off_locked(void)
{
	power_stop_services("power off");
	acpi_status st = acpi_enter_sleep_state_prep(ACPI_STATE_S5);
	if (ACPI_FAILURE(st)) {
		rae_printf("acpid: cannot prepare S5: %s\n", acpi_format_exception(st));
		return RAE_ERR_UNSUPPORTED;
	}
	rae_printf("acpid: entering S5 (soft-off)\n");
	st = acpi_enter_sleep_state(ACPI_STATE_S5);
	/* Still here: the sleep registers did not take. */
	rae_printf("acpid: S5 did not power the machine off: %s\n", acpi_format_exception(st));
	return RAE_ERR_UNSUPPORTED;
}

static rae_status_t power_reset_locked(void)
{
	power_stop_services("reboot");
	rae_printf("acpid: resetting through the FADT reset register\n");
	acpi_status st = acpi_reset();
	if (ACPI_FAILURE(st))
		rae_printf("acpid: no usable reset register: %s\n", acpi_format_exception(st));
	rae_sleep_ns(500000000ull);
	/* The 8042's output port drives the reset line: command 0xFE pulses it. */
	rae_printf("acpid: resetting through the 8042\n");
	if (osl_ports_enable(0x64, 1) == RAE_OK) {
		for (int i = 0; i < 1000 && (rae_inb(0x64) & 0x2); i++)
			acpi_os_stall(10);
		rae_outb(0x64, 0xfe);
		rae_sleep_ns(500000000ull);
	}
	rae_printf("acpid: resetting by a triple fault\n");
	return rae_machine_reset(acpid_root);
}

/* Set while a press is being handled: presses meanwhile are dropped. */
static uint32_t power_button_taken;

/* Runs on ACPICA's worker thread (acpi_os_execute), never in the SCI's. */
static void power_button_pressed(void *context)
{
	(void)context;
	rae_printf("acpid: the power button was pressed\n");
	power_off();
	/* Still on: a later press may try again. */
	__atomic_store_n(&power_button_taken, 0, __ATOMIC_RELAXED);
}

/* Called in the SCI's thread: hands the work to the worker and returns. */
static u32 power_button_event(void *context)
{
	(void)context;
	if (__atomic_exchange_n(&power_button_taken, 1, __ATOMIC_RELAXED) == 0)
		acpi_os_execute(OSL_NOTIFY_HANDLER, power_button_pressed, NULL);
	return ACPI_INTERRUPT_HANDLED;
}

rae_status_t power_button_init(void)
{
	acpi_status st =
	    acpi_install_fixed_event_handler(ACPI_EVENT_POWER_BUTTON, power_button_event, NULL);
	if (ACPI_FAILURE(st)) {
		rae_printf("acpid: no fixed power button: %s\n", acpi_format_exception(st));
		return RAE_ERR_UNSUPPORTED;
	}
	return RAE_OK;
}
