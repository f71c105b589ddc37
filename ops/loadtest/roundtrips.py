"""Counts the round trips a server makes to PostgreSQL, by standing between them.

A round trip is a message after which the client waits for the server: a simple query (`Q`),
the end of an extended-protocol batch (`S`, Sync) or a request for what is pending (`H`,
Flush, which pipeline mode sends before reading a result). A health check, a BEGIN or a COMMIT
counts like any statement. Connections through it must not ask for TLS (`sslmode=disable`).
"""

import asyncio
import socket
import threading

COUNTED = {ord("Q"), ord("S"), ord("H")}


class RoundTripCounter:
    def __init__(self, host: str, port: int) -> None:
        """`host` is a name or address, or a directory holding the server's Unix socket."""
        self.host, self.upstream_port = host, port
        self.count = 0
        self._loop = asyncio.new_event_loop()
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(asyncio.start_server(self._relay, sock=self._listener))
        self._loop.run_forever()

    async def _relay(self, client_in, client_out) -> None:
        if self.host.startswith("/"):
            socket_path = f"{self.host}/.s.PGSQL.{self.upstream_port}"
            server_in, server_out = await asyncio.open_unix_connection(socket_path)
        else:
            server_in, server_out = await asyncio.open_connection(self.host, self.upstream_port)
        await asyncio.gather(
            self._client_to_server(client_in, server_out), self._pipe(server_in, client_out)
        )

    async def _pipe(self, reader, writer) -> None:
        try:
            while chunk := await reader.read(65_536):
                writer.write(chunk)
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()

    async def _client_to_server(self, reader, writer) -> None:
        try:
            startup_length = int.from_bytes(await reader.readexactly(4), "big")
            writer.write(startup_length.to_bytes(4, "big"))
            writer.write(await reader.readexactly(startup_length - 4))
            while True:
                header = await reader.readexactly(5)
                if header[0] in COUNTED:
                    self.count += 1
                length = int.from_bytes(header[1:], "big")
                writer.write(header + await reader.readexactly(length - 4))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()
