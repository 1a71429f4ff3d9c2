"""Errors raised while parsing a chart description. The API turns them into 400 responses."""

from __future__ import annotations


class SpecError(ValueError):
    """A chart description is invalid. ``field`` is the dotted path of the offending input
    (``data.datasets[0].data[3]``, ``width``, ``chd``...), ``message`` says what is wrong."""

    def __init__(self, field: str, message: str, *, code: str = "invalid_spec", status: int = 400):
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.message = message
        self.code = code
        self.status = status

    def to_dict(self) -> dict[str, str]:
        return {"error": str(self), "field": self.field, "code": self.code}
