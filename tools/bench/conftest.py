# pytest setup for tools/bench: the runner shares the QEMU and serial-log code of the test harness in tools/test.
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "test"))
