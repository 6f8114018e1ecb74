/* rae-pcid, the PCI service (bin/pcid): enumerates every PCI function once
 * at start through the kernel (which uses ECAM where the MCFG table names
 * a window and the 0xcf8/0xcfc ports otherwise), keeps each function's
 * BAR resources for its future driver, and answers the protocol of
 * abi/rae/pci.h on its endpoint (RAE_ROLE_SERVE). Needs the root resource
 * (RAE_ROLE_ROOT_RESOURCE). docs/services/pci.md describes it. */
#include <rae_startup.h>
#include <rae/services.h>

#include "pcid.h"

static rae_startup_t startup;
static rae_pci_function_t functions[RAE_PCI_FUNCTIONS_MAX];
static pci_enum_result_t found = {.functions = functions, .max = RAE_PCI_FUNCTIONS_MAX};
/* Each function's BAR resources, held for the driver manager to hand out. */
static rae_handle_t bar_resources[RAE_PCI_FUNCTIONS_MAX][RAE_PCI_BARS];
static uint64_t access_kind;

/* Configuration space through the kernel; false when there is none. */
static bool config_open(rae_handle_t root, pci_config_t *config, pci_segment_t *segment)
{
	rae_status_t st = pcid_config_open(root, config);
	if (st != RAE_OK) {
		pcid_say("no configuration space from the kernel: %s", rae_status_name(st));
		return false;
	}
	/* Segment 0 from bus 0: where the firmware puts the host bridge on
	 * every machine we run on. Other segments would need the MCFG
	 * allocations, which the kernel does not hand out. */
	*segment = (pci_segment_t){0, 0, 255};
	access_kind =
	    config->space_bytes == RAE_PCI_CONFIG_SIZE ? RAE_PCI_ACCESS_ECAM : RAE_PCI_ACCESS_PORTS;
	return true;
}

static void resources_take(rae_handle_t root)
{
	unsigned held = 0;
	for (size_t i = 0; i < found.count; i++) {
		rae_pci_function_t *f = &functions[i];
		int64_t made = pcid_function_resources(root, f, bar_resources[i]);
		if (made < 0) {
			pcid_say("%02x:%02x.%u: no resources for its BARs: %s", f->bus, f->device,
				 f->function, rae_status_name((rae_status_t)made));
			continue;
		}
		for (unsigned b = 0; b < RAE_PCI_BARS; b++) {
			if (bar_resources[i][b] != RAE_HANDLE_INVALID)
				f->bars[b].flags |= RAE_PCI_BAR_RESOURCE;
		}
		held += (unsigned)made;
	}
	pcid_say("%u BAR resources held for drivers", held);
}

static rae_status_t list(const rae_msg_t *call, rae_msg_t *reply)
{
	uint64_t first = call->words[0];
	if (first > found.count)
		return RAE_ERR_RANGE;
	uint64_t n = found.count - first;
	if (n > RAE_PCI_LIST_MAX)
		n = RAE_PCI_LIST_MAX;
	reply->buf = (uint64_t)(uintptr_t)&functions[first];
	reply->buf_len = (uint32_t)(n * sizeof(functions[0]));
	reply->words[0] = n;
	reply->words[1] = found.count;
	reply->words[2] = access_kind;
	reply->words[3] = found.truncated ? RAE_PCI_ENUM_TRUNCATED : 0;
	return RAE_OK;
}

static __attribute__((noreturn)) void serve(rae_handle_t ep)
{
	for (;;) {
		rae_msg_t call = {0};
		if (rae_ipc_receive(ep, &call, RAE_TIMEOUT_NEVER) != RAE_OK)
			continue;
		/* Requests carry no handles: whatever came is dropped. */
		for (uint32_t i = 0; i < call.handle_count; i++)
			rae_handle_close(call.handles[i]);
		if (call.flags & RAE_MSG_ONEWAY)
			continue;
		rae_msg_t reply = {0};
		rae_status_t st;
		switch (call.tag) {
		case RAE_SVC_PING:
			reply.words[0] = call.words[0];
			st = RAE_OK;
			break;
		case RAE_PCI_LIST: st = list(&call, &reply); break;
		default: st = RAE_ERR_UNSUPPORTED; break;
		}
		reply.tag = (uint64_t)(int64_t)st;
		rae_ipc_reply(&reply);
	}
}

int main(uint64_t arg)
{
	rae_status_t st = rae_startup_receive((rae_handle_t)arg, &startup, 5000000000ull);
	if (st != RAE_OK) {
		pcid_say("no start-up messages: %s", rae_status_name(st));
		return 1;
	}
	rae_handle_t ep = rae_startup_take(&startup, RAE_ROLE_SERVE);
	rae_handle_t root = rae_startup_take(&startup, RAE_ROLE_ROOT_RESOURCE);
	if (!ep || !root) {
		pcid_say("needs an endpoint to serve and the root resource; exiting");
		return 1;
	}
	pci_config_t config;
	pci_segment_t segment;
	if (config_open(root, &config, &segment)) {
		uint64_t start = rae_clock_ns();
		pci_enumerate(&config, &segment, 1, &found);
		uint64_t took = rae_clock_ns() - start;
		pcid_say("%u functions on %u bus%s through %s in %llu us%s", (unsigned)found.count,
			 found.buses, found.buses == 1 ? "" : "es",
			 access_kind == RAE_PCI_ACCESS_ECAM ? "ECAM" : "the ports",
			 (unsigned long long)(took / 1000),
			 found.truncated ? " (more than it keeps: truncated)" : "");
		resources_take(root);
	}
	serve(ep);
}
