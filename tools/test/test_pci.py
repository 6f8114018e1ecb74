# The PCI run's comparison (pci.py): lspci's output parsed, QEMU's query-pci walked through bridges,
# and every kind of difference reported.
import copy

import pci

LSPCI = """lspci
00:00.0 Host bridge [0600]: Intel Corporation 82G33/G31/P35/P31 Express DRAM Controller [8086:29c0] (rev 00)
\tSubsystem: Red Hat, Inc. [1af4:1100]
\tInterrupt: none
\tDriver: none
00:02.0 Ethernet controller [0200]: Intel Corporation 82574L Gigabit Network Connection [8086:10d3] (rev 00)
\tBAR0: Memory at feb80000 (32-bit) [size=128K]
\tBAR2: I/O ports at c040 [size=32]
\tBAR4: Memory at fe000000 (64-bit, prefetchable) [size=16K]
\tExpansion ROM at feb40000 [disabled] [size=256K]
\tInterrupt: INTx pin A, line 11; MSI-X capable
\tDriver: none
00:1c.0 PCI bridge [0604]: Red Hat, Inc. QEMU PCIe Root port [1b36:000c] (rev 00)
\tBuses: secondary 01, subordinate 01
\tInterrupt: INTx pin A, no line assigned
\tDriver: none
01:00.0 Unclassified device [00ff]: Red Hat, Inc. Virtio RNG [1af4:1005] (rev 01)
\tInterrupt: none
\tDriver: none
/ $ """

QEMU = [{"bus": 0, "devices": [
    {"bus": 0, "slot": 0, "function": 0, "class_info": {"class": 0x0600}, "id": {"vendor": 0x8086, "device": 0x29c0},
     "regions": []},
    {"bus": 0, "slot": 2, "function": 0, "class_info": {"class": 0x0200}, "id": {"vendor": 0x8086, "device": 0x10d3},
     "irq": 11, "irq_pin": 1,
     "regions": [{"bar": 0, "type": "memory", "address": 0xFEB80000, "size": 0x20000},
                 {"bar": 2, "type": "io", "address": 0xC040, "size": 32},
                 {"bar": 4, "type": "memory", "address": 0xFE000000, "size": 0x4000},
                 {"bar": 6, "type": "memory", "address": -1, "size": 0x40000}]},
    {"bus": 0, "slot": 0x1C, "function": 0, "class_info": {"class": 0x0604}, "id": {"vendor": 0x1B36, "device": 0xC},
     "irq": 0, "irq_pin": 1, "regions": [],
     "pci_bridge": {"bus": {"number": 0, "secondary": 1, "subordinate": 1}, "devices": [
         {"bus": 1, "slot": 0, "function": 0, "class_info": {"class": 0x00FF},
          "id": {"vendor": 0x1AF4, "device": 0x1005}, "regions": []}]}},
]}]


def test_parse_lspci():
    found = pci.parse_lspci(LSPCI)
    assert sorted(found) == [(0, 0, 0), (0, 2, 0), (0, 0x1C, 0), (1, 0, 0)]
    nic = found[(0, 2, 0)]
    assert (nic["vendor"], nic["device"], nic["class"]) == (0x8086, 0x10D3, 0x0200)
    assert nic["bars"] == {0: {"io": False, "address": 0xFEB80000, "size": 0x20000},
                           2: {"io": True, "address": 0xC040, "size": 32},
                           4: {"io": False, "address": 0xFE000000, "size": 0x4000}}
    assert nic["rom"] == {"address": 0xFEB40000, "size": 0x40000}
    assert (nic["pin"], nic["line"]) == (1, 11)
    assert (found[(0, 0x1C, 0)]["pin"], found[(0, 0x1C, 0)]["line"]) == (1, None)


def test_matching_output_has_no_problems():
    assert pci.compare(pci.parse_lspci(LSPCI), pci.qemu_functions(QEMU)) == []


def test_every_difference_is_reported():
    qemu = copy.deepcopy(QEMU)
    nic = qemu[0]["devices"][1]
    nic["id"]["device"] = 0x10D4
    nic["class_info"]["class"] = 0x0280
    nic["regions"][0]["size"] = 0x40000
    nic["regions"][1]["address"] = 0xC080
    nic["regions"][2]["type"] = "io"
    nic["regions"].append({"bar": 5, "type": "memory", "address": 0xFEBF0000, "size": 0x1000})
    nic["irq"] = 10
    qemu[0]["devices"][2]["pci_bridge"]["devices"][0]["function"] = 1
    problems = pci.compare(pci.parse_lspci(LSPCI), pci.qemu_functions(qemu))
    text = "\n".join(problems)
    for expected in ("IDs 8086:10d3, QEMU 8086:10d4", "class 0200, QEMU 0280", "BAR0 size 0x20000, QEMU 0x40000",
                     "BAR2 at 0xc040, QEMU 0xc080", "BAR4 type differs", "BAR5 missing in lspci",
                     "interrupt line 11, QEMU 10", "01:00.1: QEMU has it", "01:00.0: lspci lists it"):
        assert expected in text, text


def test_names_must_come_from_pci_ids():
    unnamed = LSPCI.replace("Intel Corporation 82574L Gigabit Network Connection", "Vendor 8086 Device 10d3")
    problems = pci.compare(pci.parse_lspci(unnamed), pci.qemu_functions(QEMU))
    assert problems == ["00:02.0: no vendor name from pci.ids ('Vendor 8086 Device 10d3')"]


def test_platform_devices_reach_qemu_and_the_name():
    import qemu
    p = qemu.Platform("q35", "bios", "max", devices=("pcie-root-port,id=rp1,chassis=1", "virtio-rng-pci,bus=rp1"))
    argv = qemu.qemu_argv(p, "x.iso", "x.log")
    at = argv.index("pcie-root-port,id=rp1,chassis=1")
    assert argv[at - 1] == "-device" and argv[at + 1:at + 3] == ["-device", "virtio-rng-pci,bus=rp1"]
    assert p.name == "q35-bios-max-pcie-root-port-virtio-rng-pci"
    assert qemu.Platform("pc", "bios", "max").name == "pc-bios-max"
