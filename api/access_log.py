"""gunicorn's access log without API keys: ``<img src>`` embeds carry the key in the URL
(``?key=``/``?apiKey=``), and a key written to a log file is as good as a leaked key. The value is
replaced by its visible prefix (16 characters), enough to tell keys apart."""

from __future__ import annotations

import re
from typing import Any

from gunicorn.glogging import Logger

_KEY_PARAM = re.compile(r"(?i)([?&](?:key|apikey)=)([^&\s#]*)")
_BARE_KEY = re.compile(r"(pk_(?:live|test)_[0-9A-Za-z]{8})[0-9A-Za-z]+")


def redact(text: str) -> str:
    text = _KEY_PARAM.sub(lambda m: m.group(1) + (m.group(2)[:16] + "…" if m.group(2) else ""), text)
    return _BARE_KEY.sub(lambda m: m.group(1) + "…", text)


class RedactingLogger(Logger):
    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        for name in ("r", "q", "f", "{referer}i"):
            if isinstance(atoms.get(name), str):
                atoms[name] = redact(atoms[name])
        return atoms
