"""A local webhook receiver for the tests: a real HTTP server on 127.0.0.1, answering as each
test scripts it, keeping every request it received."""

import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class Received:
    body: bytes
    headers: dict[str, str]
    path: str


@dataclass
class Receiver:
    """`answers`: what each request is answered, in turn (the last one repeats): a status
    code, or "hang" (no answer until the test ends)."""

    answers: list[int | str] = field(default_factory=lambda: [200])
    received: list[Received] = field(default_factory=list)
    url: str = ""
    released: threading.Event = field(default_factory=threading.Event)

    def answer_for(self, number: int) -> int | str:
        return self.answers[min(number, len(self.answers) - 1)]


@contextmanager
def running(receiver: Receiver, path: str = "/hooks") -> Iterator[Receiver]:
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            with lock:
                number = len(receiver.received)
                receiver.received.append(
                    Received(
                        body=body,
                        headers={k.lower(): v for k, v in self.headers.items()},
                        path=self.path,
                    )
                )
            answer = receiver.answer_for(number)
            if answer == "hang":
                receiver.released.wait(60)
                return
            assert isinstance(answer, int)
            text = f"answer {answer}".encode()
            self.send_response(answer)
            self.send_header("content-length", str(len(text)))
            self.end_headers()
            self.wfile.write(text)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}{path}"
    try:
        yield receiver
    finally:
        receiver.released.set()
        server.shutdown()
        server.server_close()
