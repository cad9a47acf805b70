"""qr_payments: key: (English, Italiano)."""

MESSAGES: dict[str, tuple[str, str]] = {}
