"""UI strings by area; socialshop.i18n merges them into one catalogue."""
