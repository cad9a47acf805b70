"""What every HTTP answer of the app says about framing and content sources, and keeping
the server's state files private.

`security_headers` wraps the backend ASGI app (rx.App(api_transformer=...)); in the
single-port production server (`make run`) that app also serves the compiled pages and
assets, so all of them carry the headers.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def content_security_policy(api_url: str | None = None) -> str:
    """The policy for the compiled Reflex pages.

    Reflex's pages need inline bootstrap scripts and `eval` (rx.call_script), and Radix
    and Emotion write inline styles, so scripts and styles may be inline; everything
    else only comes from the app's own origin, plus the backend's origin when it is on
    another port (the websocket), `data:` images (QR codes, generated pictures), and no
    page may put this one in a frame.
    """
    connect = ["'self'"]
    if api_url:
        parts = urlsplit(api_url)
        if parts.scheme in ("http", "https") and parts.netloc:
            ws = "wss" if parts.scheme == "https" else "ws"
            connect += [f"{parts.scheme}://{parts.netloc}", f"{ws}://{parts.netloc}"]
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", "'unsafe-inline'", "'unsafe-eval'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": connect,
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def _api_url() -> str | None:
    from reflex.config import get_config

    return get_config().api_url


class SecurityHeaders:
    """ASGI middleware adding the headers to every HTTP response it passes on."""

    def __init__(self, app: ASGIApp, api_url: str | None = None) -> None:
        self.app = app
        self._api_url = api_url
        self._policies: dict[str | None, str] = {}

    def _headers(self) -> dict[str, str]:
        # Read per response: the backend address is only known once the server is up.
        api_url = self._api_url or _api_url()
        policy = self._policies.get(api_url)
        if policy is None:
            policy = self._policies[api_url] = content_security_policy(api_url)
        return {
            "Content-Security-Policy": policy,
            "X-Frame-Options": "DENY",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "strict-origin-when-cross-origin",
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self._headers().items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


def security_headers(asgi_app: ASGIApp, api_url: str | None = None) -> ASGIApp:
    """For rx.App(api_transformer=[...]): the outermost wrapper. `api_url` is the backend's
    address when it differs from the configured one (a test harness's own port)."""
    return SecurityHeaders(asgi_app, api_url)


def private_state_files(states_dir: Path | None = None) -> None:
    """Files this server writes (Reflex's per-tab state under .states/, uploads) are
    readable by its own user only; state written before this is made private too."""
    os.umask(0o077)
    if states_dir is None:
        from reflex.utils.prerequisites import get_states_dir

        states_dir = get_states_dir()
    states_dir = Path(states_dir)
    if not states_dir.is_dir():
        return
    states_dir.chmod(stat.S_IRWXU)
    for path in states_dir.iterdir():
        if path.is_file():
            path.chmod(stat.S_IRUSR | stat.S_IWUSR)
