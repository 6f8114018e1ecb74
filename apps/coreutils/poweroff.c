/* poweroff: asks the ACPI service to turn the machine off (S5, after the
 * service manager stopped every service). */
#include "power.h"

int main(int argc, char **argv)
{
	(void)argv;
	return power_request(argc, "poweroff", RAE_ACPI_POWEROFF, "the machine stayed on");
}
