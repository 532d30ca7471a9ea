"""gunicorn settings, read automatically by `gunicorn toolbox.wsgi` run from this folder.

Metrics are summed across workers with prometheus-client's multiprocess mode: every worker writes
its values to files in PROMETHEUS_MULTIPROC_DIR, which must be empty when the server starts and
from which a dead worker's live gauges are removed (and its max gauges folded into one file).
"""

import os
import shutil
import tempfile

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8008")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
graceful_timeout = 10
# Quick restarts: Sentry's shutdown flush is bounded (monitoring/sentry.py) and so is ours.
timeout = 30
# Never let the server rewrite the client address from X-Forwarded-For (gunicorn and uvicorn
# trust it from loopback by default): monitoring.network decides which hop to believe, from
# TRUSTED_PROXY_COUNT / TRUSTED_PROXY_NETWORKS.
forwarded_allow_ips = ""

_metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(
    prefix="toolbox-metrics-"
)
os.environ["PROMETHEUS_MULTIPROC_DIR"] = _metrics_dir


def on_starting(server):
    shutil.rmtree(_metrics_dir, ignore_errors=True)
    os.makedirs(_metrics_dir, exist_ok=True)


def child_exit(server, worker):
    # Its live gauges removed, its max gauges folded into one file (monitoring/multiproc.py).
    from monitoring.multiproc import retire_worker

    retire_worker(worker.pid, _metrics_dir)


def worker_exit(server, worker):
    # A worker's last act is the interpreter's final garbage collection over the whole app,
    # which takes longer than the rest of a restart (~0.5 s on 2 cores). Nothing there needs
    # it: logging and Sentry flush in their atexit handlers, which still run.
    import gc

    gc.freeze()
