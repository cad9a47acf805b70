"""The offline sandbox gateway."""

from socialshop.payments.sandbox.provider import TOKEN_PREFIX, SandboxProvider

__all__ = ["TOKEN_PREFIX", "SandboxProvider"]
