"""Gunicorn settings for the production image (Cloud Run sets PORT; see docs/operations.md)."""

import os
import shutil
from pathlib import Path

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 25  # Cloud Run sends SIGTERM and waits 10 s by default; finish what we can
keepalive = 5
max_requests = 2000
max_requests_jitter = 200
accesslog = None  # RequestLogMiddleware writes JSON access lines with the request id
# If someone turns the access log on (--access-logfile), it still never prints a URL: invitation,
# reset, unsubscribe and export links carry their token in the path (the JSON line has the route).
access_log_format = '%(h)s %(t)s "%(m)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
# Cloud Run's front end is the only peer and its address is not fixed: trust it for the scheme.
# Only X-Forwarded-Proto (what Cloud Run sets and Django reads); no client-settable SCRIPT_NAME or
# PATH_INFO headers (gunicorn's default forwarder_headers would take them from any trusted peer).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}
forwarder_headers = ""


def on_starting(server):
    """Start every container with an empty Prometheus multiprocess directory."""
    path = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if path:
        shutil.rmtree(path, ignore_errors=True)
        Path(path).mkdir(parents=True, exist_ok=True)


def child_exit(server, worker):
    """Let prometheus_client merge a dead worker's live gauges correctly."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def post_worker_init(worker):
    """Load the search model and BM25 index in the background, not in a student's first search."""
    import threading

    def warm() -> None:
        try:
            from ingestion.search import warm_up

            warm_up()
        except Exception:  # a cold search is slower, never fatal
            worker.log.warning("search warm-up failed", exc_info=True)

    threading.Thread(target=warm, name="search-warm-up", daemon=True).start()
