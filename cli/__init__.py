"""The operator command line (`chartfleet ...`): above api and worker, which it may both import."""
