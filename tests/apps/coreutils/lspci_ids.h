/* lspci (apps/coreutils/lspci.c) included whole for its pci.ids table
 * reader, with main renamed away and the few librae calls main makes
 * answered here: the host tests and the fuzzer exercise ids_parse,
 * ids_lookup and ids_class alone. */
#ifndef TESTS_APPS_COREUTILS_LSPCI_IDS_H
#define TESTS_APPS_COREUTILS_LSPCI_IDS_H

/* As tools/raeen-cc compiles it: main is the C library's. */
#define __raeenos__ 1
#define main        lspci_main
#include "../../../apps/coreutils/lspci.c"
#undef main

rae_startup_t *rae_posix_startup(void)
{
	return NULL;
}

rae_handle_t rae_startup_handle(const rae_startup_t *s, uint16_t role)
{
	(void)s;
	(void)role;
	return RAE_HANDLE_INVALID;
}

rae_status_t rae_service_lookup(rae_handle_t svc, const char *name, rae_handle_t *ep,
				uint64_t timeout_ns)
{
	(void)svc;
	(void)name;
	(void)ep;
	(void)timeout_ns;
	return RAE_ERR_NOT_FOUND;
}

#endif
