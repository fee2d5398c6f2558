"""A loopback TCP forwarder the test can switch off: the broker "goes away" for the node.

Down means nothing listens on the port (the node's connect is refused) and every live
connection is reset, as when a mobile uplink drops; the real broker stays up throughout.
"""

import contextlib
import random
import socket
import struct
import threading
from typing import Self

CHUNK = 65536
# Below Linux's ephemeral range (32768-60999): while nothing listens on an ephemeral port,
# a client retrying to connect to it can be handed that very port as its own source port
# and "connect" to itself.
PORTS = range(20000, 32000)


def quiet_port() -> int:
    """A free loopback port outside the ephemeral range."""
    for port in random.Random().sample(PORTS, 200):  # noqa: S311 - not a secret
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 20000-32000")


class TcpProxy:
    """Forwards 127.0.0.1:`port` to `target` while up."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = quiet_port()
        self._lock = threading.Lock()
        self._server: socket.socket | None = None
        self._live: list[socket.socket] = []

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def up(self) -> Self:
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            server.bind(("127.0.0.1", self.port))
            server.listen(16)
        except OSError:
            server.close()
            raise
        with self._lock:
            self._server = server
        threading.Thread(target=self._accept, args=(server,), daemon=True).start()
        return self

    def down(self) -> None:
        """Stop listening and reset every forwarded connection."""
        with self._lock:
            server, self._server = self._server, None
            live, self._live = self._live, []
        if server is not None:
            server.close()
        for sock in live:
            # SO_LINGER 0: close with a RST, like a dropped link. shutdown() first wakes the
            # pump thread blocked in recv(), which would otherwise keep the socket alive.
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already reset by the other side
            sock.close()

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return  # closed by down()
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self._lock:
                if self._server is not server:  # down() ran meanwhile: drop this one too
                    client.close()
                    upstream.close()
                    return
                self._live += [client, upstream]
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(CHUNK):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
