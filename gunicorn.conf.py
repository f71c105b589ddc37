"""The production server's settings: `gunicorn -c gunicorn.conf.py config.wsgi:application`.

The worker timeout lies above every database wait a request can make (connecting, then its
statements), so a request to a failing database answers 503 itself instead of its worker being
killed mid-answer; a worker stuck beyond it (a frozen database) is replaced.
"""

import multiprocessing
import os

_connect = int(os.environ.get("DB_CONNECT_TIMEOUT", 3))
_statement = int(os.environ.get("DB_STATEMENT_TIMEOUT_MS", 10_000)) / 1000

bind = os.environ.get("BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2))
# sync: one request at a time per worker; gthread: GUNICORN_THREADS at once, keep-alive kept.
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = int(os.environ.get("GUNICORN_THREADS", 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", _connect + _statement + 10))
graceful_timeout = 30
keepalive = 5
# A worker's memory is returned now and then (a slow leak in a dependency cannot grow forever).
# (The load test turns it off with GUNICORN_MAX_REQUESTS=0, to read each worker's CPU time.)
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 10_000))
max_requests_jitter = max_requests // 10
# Request lines and headers are read well past the API's own bounds (api.request_limits), so
# that a client sending them too long is refused by the API in JSON, not by the server in HTML.
limit_request_line = 0  # gunicorn's largest: 1 MiB
limit_request_field_size = 64 * 1024
limit_request_fields = 200
