"""Gunicorn settings as the tutorial configures them: 2 x cores + 1 workers, 2 x cores threads."""

import os

bind = os.environ.get("PEER_BIND", "127.0.0.1:5000")
# The cores this process may use: the machine's, or fewer under taskset (`pnpm bench --layout apart`).
cores = len(os.sched_getaffinity(0))
workers = cores * 2 + 1
threads = cores * 2
