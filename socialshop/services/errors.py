"""Errors services raise for bad input or refused operations.

Each carries a stable `code` the UI translates (see socialshop/i18n.py) and optional
`params` for the message; nothing has changed in the database when one is raised.
"""

from __future__ import annotations


class ServiceError(Exception):
    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


class ValidationError(ServiceError):
    """The input is malformed or out of range."""


class NotFound(ServiceError):
    """No such object for this user (also used for other users' objects: no hint they exist)."""


class PermissionDenied(ServiceError):
    pass


class Conflict(ServiceError):
    """The request clashes with the current state (out of stock, already paid, ...)."""
