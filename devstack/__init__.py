"""Start a private Chartfleet stack (moto S3 server, gunicorn api, celery worker and beat) for the
tests and the benchmarks, which both import it (bench never imports tests)."""
