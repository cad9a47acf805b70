"""Compiled pages answered at the address the app links to, without a redirect.

Reflex's production server (`reflex run --env prod --single-port`, i.e. `make run`) serves
the compiled pages with Starlette's StaticFiles, which answers `/pay` (a folder
`pay/index.html`) with a 307 redirect to `/pay/`: one more round trip before a page opened
from a link, a bookmark or a notification starts loading (Lighthouse counts about 600 ms
on its mobile profile). `directory_pages` wraps the backend (rx.App(api_transformer=...))
and hands such a request to StaticFiles as `/pay/` directly; the browser keeps the
address `/pay`, which the client router matches as before.

It also marks the build's content-hashed files (`/assets/name-HASH.js`, `.css`, ...) as
cacheable for a year: their name changes whenever their content does, and without it
every page load after the first asks again for each of the 60-70 scripts of a page (a
conditional request each, answered 304).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Vite's output names: `/assets/<name>-<8 characters of hash>.<ext>`.
HASHED_ASSET = re.compile(r"/assets/[^/]+-[A-Za-z0-9_-]{8}\.(?:js|mjs|css|woff2?|svg|png|jpe?g|webp|avif)$")
IMMUTABLE = "public, max-age=31536000, immutable"


def _static_dir() -> tuple[Path, str]:
    """The compiled pages' folder and the frontend path prefix they are mounted at."""
    from reflex.utils import prerequisites
    from reflex_base import constants
    from reflex_base.config import get_config

    config = get_config()
    folder = prerequisites.get_web_dir() / constants.Dirs.STATIC / config.frontend_path.strip("/")
    return folder, config.prepend_frontend_path("/").rstrip("/")


class DirectoryPages:
    """ASGI middleware: `GET /a/b` is served as `/a/b/` when `a/b/index.html` is a compiled page."""

    def __init__(self, app: ASGIApp, static_dir: Path | None = None, prefix: str = "") -> None:
        self.app = app
        self._static_dir = static_dir
        self._prefix = prefix
        # Paths seen are a few dozen routes plus whatever clients send: bounded.
        self._is_page = lru_cache(maxsize=2048)(self._page_folder_exists)

    def _page_folder_exists(self, path: str) -> bool:
        if self._static_dir is None:
            self._static_dir, self._prefix = _static_dir()
        if self._prefix:
            if not path.startswith(self._prefix + "/"):
                return False
            path = path[len(self._prefix):]
        parts = path.strip("/").split("/")
        if any(part in ("", ".", "..") or "\\" in part for part in parts):
            return False
        return (self._static_dir.joinpath(*parts) / "index.html").is_file()

    def _is_hashed_asset(self, path: str) -> bool:
        if self._static_dir is None:
            self._static_dir, self._prefix = _static_dir()
        return path.startswith(self._prefix + "/assets/") and HASHED_ASSET.search(path) is not None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        last = path.rsplit("/", 1)[-1]
        if last and "." not in last and self._is_page(path):
            scope = dict(scope)
            scope["path"] = path + "/"
            if isinstance(scope.get("raw_path"), bytes):
                scope["raw_path"] = scope["raw_path"] + b"/"
        elif self._is_hashed_asset(path):

            async def send_cacheable(message: Message) -> None:
                if message["type"] == "http.response.start" and message["status"] in (200, 304):
                    headers = MutableHeaders(scope=message)
                    if "cache-control" not in headers:
                        headers["Cache-Control"] = IMMUTABLE
                await send(message)

            await self.app(scope, receive, send_cacheable)
            return
        await self.app(scope, receive, send)


def directory_pages(asgi_app: ASGIApp) -> ASGIApp:
    """For rx.App(api_transformer=[...]): `/pay` served as `/pay/`, with no redirect, and
    the build's hashed assets cacheable for a year."""
    return DirectoryPages(asgi_app)
