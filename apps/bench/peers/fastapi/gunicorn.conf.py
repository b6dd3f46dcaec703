"""Gunicorn as FastAPI's deployment docs set it up: uvicorn workers, 2 x cores + 1 of them.

uvicorn picks uvloop and httptools (both installed). No access log (Gunicorn's default, as for
the Flask peer).
"""

import os

bind = os.environ.get("PEER_BIND", "127.0.0.1:8000")
# The cores this process may use: the machine's, or fewer under taskset (`pnpm bench --layout apart`).
cores = len(os.sched_getaffinity(0))
workers = cores * 2 + 1
worker_class = "uvicorn.workers.UvicornWorker"
