"""Shared column helpers for every table."""

from __future__ import annotations

import datetime as dt
import enum


def utcnow() -> dt.datetime:
    """Aware UTC: sqlmodel's datetime columns refuse naive values and read back in UTC."""
    return dt.datetime.now(dt.UTC)


class StrEnum(str, enum.Enum):
    """Enums are stored as their plain string value so migrations never touch DB enum types."""

    def __str__(self) -> str:
        return self.value

    @classmethod
    def values(cls) -> list[str]:
        return [member.value for member in cls]

    @classmethod
    def parse(cls, raw: object):
        """The member for `raw`, or None: browsers may send anything."""
        try:
            return cls(str(raw))
        except ValueError:
            return None
