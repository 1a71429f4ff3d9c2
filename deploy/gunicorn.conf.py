"""gunicorn settings for the api process, from the same Settings as everything else."""

import os
import shutil
import tempfile

from api.bodylimit import install_json_server_errors
from core.config import Settings

_settings = Settings.from_env()

bind = f"{_settings.bind}:{_settings.port}"
# Threads: a synchronous render request spends most of its time waiting on Redis pub/sub for the
# worker, so a thread per in-flight request is the cheap unit of concurrency.
worker_class = "gthread"
workers = _settings.web_processes
threads = _settings.web_concurrency
timeout = max(75, int(_settings.sync_timeout) + 15)
graceful_timeout = 30
keepalive = 5
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(L)ss rid=%({x-request-id}o)s'
logger_class = "api.access_log.RedactingLogger"  # API keys in ?key= never reach the log
# Long <img src> URLs must reach the app so it can answer its own JSON 414 (the API limit is 2000
# characters); gunicorn's default request-line limit is 4094.
limit_request_line = 8190

# Prometheus: every worker process writes its samples under one directory of this instance, and
# /metrics adds them up (core.metrics). Set before any worker imports prometheus_client.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = _METRICS_DIR = tempfile.mkdtemp(prefix="chartfleet-api-metrics-")
else:
    _METRICS_DIR = None


def post_worker_init(worker):
    # The app is loaded in this worker process: freeze it out of the garbage collector's walks.
    from core.runtime import tune_gc

    tune_gc(_settings.gc_gen0_threshold)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if _METRICS_DIR:
        shutil.rmtree(_METRICS_DIR, ignore_errors=True)


# Each instance its own control socket (gunicorn's default is one per user: a second instance on
# the host would take it over, and delete it when it stops).
_control = _settings.control_socket_path("api", _settings.port)
control_socket_disable = _control is None
if _control is not None:
    control_socket = _control
# Errors gunicorn answers itself (request line over limit_request_line, malformed requests) in
# the API's JSON shape rather than gunicorn's HTML page.
install_json_server_errors()
