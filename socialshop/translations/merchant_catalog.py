"""merchant_catalog: key: (English, Italiano)."""

MESSAGES: dict[str, tuple[str, str]] = {}
