# A minimal QMP client: connects to QEMU's control socket and runs commands one at a time.
import json
import socket
import time


class QmpError(RuntimeError):
    pass


def connect_unix(path: str, timeout: float) -> socket.socket:
    """Connects to a unix socket QEMU creates, waiting up to timeout seconds for it."""
    deadline = time.monotonic() + timeout
    while True:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(path)
            return sock
        except (FileNotFoundError, ConnectionRefusedError):
            sock.close()
            if time.monotonic() > deadline:
                raise OSError(f"cannot connect to {path}")
            time.sleep(0.05)


class QmpClient:
    """Synchronous QMP over a unix socket. Asynchronous events are skipped."""

    def __init__(self, path: str, timeout: float = 10.0):
        try:
            sock = connect_unix(path, timeout)
        except OSError as e:
            raise QmpError(f"cannot connect to QMP socket {path}") from e
        sock.settimeout(timeout)
        self._sock = sock
        self._file = sock.makefile("rwb")
        greeting = self._read()
        if "QMP" not in greeting:
            raise QmpError(f"unexpected QMP greeting: {greeting}")
        self.execute("qmp_capabilities")

    def execute(self, command: str, arguments: dict | None = None):
        """Runs one command; returns its "return" value or raises QmpError."""
        message: dict = {"execute": command}
        if arguments:
            message["arguments"] = arguments
        self._file.write(json.dumps(message).encode() + b"\n")
        self._file.flush()
        while True:
            reply = self._read()
            if "return" in reply:
                return reply["return"]
            if "error" in reply:
                raise QmpError(f"{command}: {reply['error'].get('desc', reply['error'])}")

    def _read(self) -> dict:
        try:
            line = self._file.readline()
        except OSError as e:
            raise QmpError(f"QMP read failed: {e}") from e
        if not line:
            raise QmpError("QEMU closed the QMP connection")
        return json.loads(line)

    def close(self) -> None:
        try:
            self._file.close()
        finally:
            self._sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
