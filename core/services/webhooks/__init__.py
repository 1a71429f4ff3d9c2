"""Webhooks: endpoints and their secrets (``endpoints``), destination safety (``addresses``),
messages, the retry schedule and the record of attempts (``deliveries``)."""
