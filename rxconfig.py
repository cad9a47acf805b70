"""Reflex configuration. Every value can be overridden by environment (REFLEX_DB_URL, ...)."""

import reflex as rx
from reflex.plugins.sitemap import SitemapPlugin

from socialshop.settings import default_db_url

config = rx.Config(
    app_name="socialshop",
    db_url=default_db_url(),
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(accent_color="indigo", gray_color="slate", radius="large", appearance="inherit")
        )
    ],
    disable_plugins=[SitemapPlugin],
    # The production build also writes Brotli copies of the pages and assets, served to
    # browsers that accept them (all current ones): a sixth fewer bytes than gzip on first load.
    frontend_compression_formats=["brotli", "gzip"],
)
