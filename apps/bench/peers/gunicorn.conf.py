"""Gunicorn settings as the tutorial configures them: 2 x cores + 1 workers, 2 x cores threads."""

import multiprocessing
import os

bind = os.environ.get("PEER_BIND", "127.0.0.1:5000")
workers = multiprocessing.cpu_count() * 2 + 1
threads = multiprocessing.cpu_count() * 2
