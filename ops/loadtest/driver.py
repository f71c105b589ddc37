"""A small HTTP/1.1 load driver: closed-loop connections in a few processes.

Each process keeps its share of the connections busy (a new request as soon as the answer
before it is complete, reconnecting when the server closes), cycling through prepared
requests. It times every request and counts answers that are not 2xx as errors. Written on
raw sockets and a selector, it spends a few microseconds per request, so that the server, not
the driver, sets the pace.
"""

import multiprocessing
import selectors
import socket
import time
from dataclasses import dataclass, field

HEADER_END = b"\r\n\r\n"


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def encode(self, host: str) -> bytes:
        lines = [f"{self.method} {self.path} HTTP/1.1", f"Host: {host}"]
        lines += [f"{name}: {value}" for name, value in self.headers.items()]
        if self.body or self.method in {"POST", "PUT", "PATCH"}:
            lines.append(f"Content-Length: {len(self.body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + self.body


@dataclass
class Result:
    latencies_ms: list[float]
    errors: int
    seconds: float
    first_error: str = ""

    @property
    def requests(self) -> int:
        return len(self.latencies_ms)


class _Answer:
    """Reads one HTTP/1.1 answer (Content-Length or chunked) from what arrives."""

    def __init__(self) -> None:
        self.buffer = bytearray()

    def complete(self) -> tuple[int, bool, bytes] | None:
        """(status, server closes, head) once the whole answer is in, else None."""
        end = self.buffer.find(HEADER_END)
        if end < 0:
            return None
        head = bytes(self.buffer[:end]).lower()
        body_start = end + 4
        status = int(head[9:12])
        closes = b"\r\nconnection: close" in head
        length_at = head.find(b"\r\ncontent-length:")
        if length_at >= 0:
            length = int(head[length_at + 17 : head.find(b"\r\n", length_at + 2)].strip() or 0)
            if len(self.buffer) < body_start + length:
                return None
            return status, closes, bytes(self.buffer[: body_start + length])
        if b"\r\ntransfer-encoding: chunked" in head:
            position = body_start
            while True:
                line_end = self.buffer.find(b"\r\n", position)
                if line_end < 0:
                    return None
                size = int(bytes(self.buffer[position:line_end]).split(b";")[0], 16)
                position = line_end + 2 + size + 2
                if len(self.buffer) < position:
                    return None
                if size == 0:
                    return status, closes, bytes(self.buffer[:position])
        if status in {204, 304}:
            return status, closes, bytes(self.buffer[:body_start])
        return None  # read to the end of the connection: not sent by the servers driven here


class _Connection:
    def __init__(self, address: tuple[str, int], selector: selectors.BaseSelector) -> None:
        self.address = address
        self.selector = selector
        self.sock: socket.socket | None = None
        self.answer = _Answer()
        self.sent_at = 0.0

    def open(self) -> socket.socket:
        sock = self.sock = socket.create_connection(self.address)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setblocking(False)
        self.selector.register(sock, selectors.EVENT_READ, self)
        return sock

    def close(self) -> None:
        if self.sock is not None:
            self.selector.unregister(self.sock)
            self.sock.close()
            self.sock = None

    def send(self, payload: bytes) -> None:
        sock = self.sock if self.sock is not None else self.open()
        self.answer = _Answer()
        self.sent_at = time.perf_counter()
        sock.setblocking(True)
        sock.sendall(payload)
        sock.setblocking(False)


def _drive(
    address: tuple[str, int],
    host: str,
    requests: list[Request],
    connections: int,
    seconds: float,
    limit: int | None,
    offset: int,
    pipe,
) -> None:
    payloads = [request.encode(host) for request in requests]
    selector = selectors.DefaultSelector()
    latencies: list[float] = []
    errors = 0
    first_error = ""
    next_payload = offset
    started = time.perf_counter()
    deadline = started + seconds
    open_connections = [_Connection(address, selector) for _ in range(connections)]
    for connection in open_connections:
        connection.send(payloads[next_payload % len(payloads)])
        next_payload += 1
    in_flight = len(open_connections)
    while in_flight:
        for key, _ in selector.select(timeout=1.0):
            connection = key.data
            chunk = connection.sock.recv(262_144)
            if not chunk:  # closed by the server before the answer was complete
                errors += 1
                first_error = first_error or "connection closed mid-answer"
                connection.close()
                done = None
            else:
                connection.answer.buffer += chunk
                done = connection.answer.complete()
                if done is None:
                    continue
            if done is not None:
                status, closes, head = done
                latencies.append((time.perf_counter() - connection.sent_at) * 1000)
                if not 200 <= status < 300:
                    errors += 1
                    first_error = first_error or head[:600].decode(errors="replace")
                if closes:
                    connection.close()
            finished = time.perf_counter() >= deadline or (
                limit is not None and len(latencies) >= limit
            )
            if finished:
                connection.close()
                in_flight -= 1
            else:
                connection.send(payloads[next_payload % len(payloads)])
                next_payload += 1
        if time.perf_counter() > deadline + 30:
            break  # answers that never come are the server's fault, counted below
    errors += in_flight
    pipe.send(Result(latencies, errors, time.perf_counter() - started, first_error))
    pipe.close()


def drive(
    address: tuple[str, int],
    requests: list[Request],
    *,
    connections: int = 16,
    processes: int = 2,
    seconds: float = 10.0,
    limit: int | None = None,
    host: str = "127.0.0.1",
) -> Result:
    """Drive the server at `address` with `requests`, round robin, for `seconds` (or until
    `limit` answers per process), over `connections` connections shared by `processes`."""
    context = multiprocessing.get_context("spawn")
    processes = max(1, min(processes, connections))
    workers = []
    for index in range(processes):
        share = connections // processes + (1 if index < connections % processes else 0)
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(
            target=_drive,
            args=(address, host, requests, share, seconds, limit, index * 7919, sender),
        )
        process.start()
        workers.append((process, receiver))
    results = []
    for process, receiver in workers:
        results.append(receiver.recv())
        process.join()
    return Result(
        latencies_ms=[latency for result in results for latency in result.latencies_ms],
        errors=sum(result.errors for result in results),
        seconds=max(result.seconds for result in results),
        first_error=next((r.first_error for r in results if r.first_error), ""),
    )
