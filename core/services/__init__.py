"""Use cases shared by the api and the worker."""
