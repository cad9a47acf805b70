"""merchant_orders: key: (English, Italiano)."""

MESSAGES: dict[str, tuple[str, str]] = {}
