"""merchant_money: key: (English, Italiano)."""

MESSAGES: dict[str, tuple[str, str]] = {}
