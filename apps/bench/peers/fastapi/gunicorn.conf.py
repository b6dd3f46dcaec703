"""Gunicorn as FastAPI's deployment docs set it up: uvicorn workers, 2 x cores + 1 of them.

uvicorn picks uvloop and httptools (both installed). No access log (Gunicorn's default, as for
the Flask peer).
"""

import multiprocessing
import os

bind = os.environ.get("PEER_BIND", "127.0.0.1:8000")
workers = multiprocessing.cpu_count() * 2 + 1
worker_class = "uvicorn.workers.UvicornWorker"
