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
    """Synchronous QMP over a unix socket. Asynchronous events are kept in `events` (wait_event)."""

    def __init__(self, path: str, timeout: float = 10.0):
        try:
            sock = connect_unix(path, timeout)
        except OSError as e:
            raise QmpError(f"cannot connect to QMP socket {path}") from e
        sock.settimeout(timeout)
        self._sock = sock
        self._file = sock.makefile("rwb")
        self.events: list[dict] = []
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
            if "event" in reply:
                self.events.append(reply)
            if "return" in reply:
                return reply["return"]
            if "error" in reply:
                raise QmpError(f"{command}: {reply['error'].get('desc', reply['error'])}")

    def wait_event(self, name: str, deadline: float) -> dict | None:
        """The first event called `name` (one seen already, or the next to come) before deadline
        (time.monotonic()); None at the deadline or when QEMU closed the connection first."""
        while True:
            for event in self.events:
                if event.get("event") == name:
                    return event
            if time.monotonic() >= deadline:
                return None
            # A timed-out read leaves the socket's file unusable, so the read waits for the whole
            # rest of the time: a timeout ends the wait (and the client's use).
            self._sock.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                reply = self._read()
            except QmpError:
                return None
            if "event" in reply:
                self.events.append(reply)

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
