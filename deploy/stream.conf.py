"""gunicorn settings for the streaming service (GET /api/v1/streaming), from the same Settings as
everything else. gevent workers: an open stream is a greenlet waiting on a queue, so one process
holds thousands of them; the api's gthread workers stay free for ordinary requests."""

from api.bodylimit import install_json_server_errors
from core.config import Settings

_settings = Settings.from_env()

bind = f"{_settings.bind}:{_settings.stream_port}"
worker_class = "gevent"
workers = _settings.stream_processes
worker_connections = _settings.stream_connections
timeout = 30  # the worker's own liveness; streams themselves may stay open for days
graceful_timeout = 10
keepalive = 5
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(L)ss rid=%({x-request-id}o)s'
# Each instance its own control socket (gunicorn's default is one per user: a second instance on
# the host would take it over, and delete it when it stops).
_control = _settings.control_socket_path("stream", _settings.stream_port)
control_socket_disable = _control is None
if _control is not None:
    control_socket = _control
# Errors gunicorn answers itself (request line over limit_request_line, malformed requests) in
# the API's JSON shape rather than gunicorn's HTML page.
install_json_server_errors()
