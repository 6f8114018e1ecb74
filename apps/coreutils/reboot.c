/* reboot: asks the ACPI service to restart the machine (the FADT reset
 * register, the 8042, a triple fault; after the service manager stopped
 * every service). */
#include "power.h"

int main(int argc, char **argv)
{
	(void)argv;
	return power_request(argc, "reboot", RAE_ACPI_REBOOT, "the machine did not reset");
}
