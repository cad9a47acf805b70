"""A light Reflex client: the socket.io protocol over one websocket, as the browser's state.js speaks it.

    client = await LightClient.connect(base_url, path="/feed/instagram",
                                       storage={"<state full name>.auth_token": token})
    reply = await client.send("<state full name>.<handler>", {"arg": value})
    reply.ms, reply.bytes, reply.frames, reply.deltas
    await client.close()

Engine.IO 4 over a websocket on /_event/ (the app's socket.io path), namespace "/_event".
Connecting sends the hydrate event in the CONNECT packet's auth (`hydrate_and_load` with
the browser's client-storage vars, e.g. the login token), as the frontend does;
`connect()` returns once the page's on_load has run (`is_hydrated` true in a delta).
An event is `42/_event,["event", {name, payload, router_data}]`; the server answers with
`42/_event,["event", {delta, events}]` frames. Reflex sends no "done" marker: `send()`
returns at the first frame carrying a delta (`until_quiet` > 0: then waits until no frame
came for that long, to count every frame the event caused). Bytes are the websocket
frames' UTF-8 sizes, as the browser receives them.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from dataclasses import dataclass, field

import aiohttp

NAMESPACE = "/_event"
ROOT_STATE = "reflex___state____state"
HYDRATE = f"{ROOT_STATE}.hydrate_and_load"
IS_HYDRATED = "is_hydrated_rx_state_"


def state_name(module: str, cls: str) -> str:
    """Reflex's name of a state class defined in `module` (a direct substate of rx.State)."""
    from reflex.utils import format

    return f"{ROOT_STATE}.{format.to_snake_case(module.replace('.', '___') + '___' + cls)}"


@dataclass
class Reply:
    ms: float  # send -> first frame with a delta
    bytes: int = 0  # every frame received until quiet (or the first delta frame)
    frames: int = 0
    deltas: list[dict] = field(default_factory=list)


class LightClient:
    def __init__(self, base: str, path: str):
        self.base = base
        self.path = path
        self.token = str(uuid.uuid4())
        self._session: aiohttp.ClientSession | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._frames: asyncio.Queue[tuple[float, int, list | None]] = asyncio.Queue()
        self._reader: asyncio.Task | None = None
        self.hydrate_bytes = 0
        self.closed_reason = ""

    def router_data(self) -> dict:
        path, _, query = self.path.partition("?")
        return {"pathname": path, "asPath": self.path, "query": dict(
            part.split("=", 1) for part in query.split("&") if "=" in part)}

    @classmethod
    async def connect(cls, base: str, *, path: str = "/", storage: dict | None = None,
                      timeout: float = 30.0) -> LightClient:
        client = cls(base, path)
        await client._open(storage or {}, timeout)
        return client

    async def _open(self, storage: dict, timeout: float) -> None:
        ws_url = self.base.replace("http", "ws", 1) + f"/_event/?EIO=4&transport=websocket&token={self.token}"
        self._session = aiohttp.ClientSession()
        self._ws = await self._session.ws_connect(ws_url, max_msg_size=0, autoping=True)
        opening = await self._ws.receive_str(timeout=timeout)
        if not opening.startswith("0"):
            raise RuntimeError(f"unexpected engine.io opening: {opening[:80]}")
        boot = {"name": HYDRATE, "payload": {"vars": storage} if storage else {},
                "router_data": self.router_data()}
        await self._ws.send_str(f"40{NAMESPACE}," + json.dumps({"event": boot}))
        self._reader = asyncio.create_task(self._read())
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"{self.path}: not hydrated after {timeout:.0f} s ({self.closed_reason})")
            _, size, data = await asyncio.wait_for(self._frames.get(), left)
            self.hydrate_bytes += size
            if data is None:
                raise RuntimeError(f"connection closed while hydrating: {self.closed_reason}")
            delta = _delta(data)
            if delta and delta.get(ROOT_STATE, {}).get(IS_HYDRATED) is True:
                return

    async def _read(self) -> None:
        assert self._ws is not None
        try:
            async for msg in self._ws:
                if msg.type != aiohttp.WSMsgType.TEXT:
                    continue
                text: str = msg.data
                now = time.perf_counter()
                if text == "2":  # engine.io ping
                    await self._ws.send_str("3")
                    continue
                size = len(text.encode())
                if text.startswith(f"42{NAMESPACE},"):
                    self._frames.put_nowait((now, size, json.loads(text[len(NAMESPACE) + 3:])))
                elif text.startswith(f"44{NAMESPACE}"):  # connect refused
                    self.closed_reason = text
                    break
            self.closed_reason = self.closed_reason or f"closed ({self._ws.close_code})"
        finally:
            self._frames.put_nowait((time.perf_counter(), 0, None))

    async def send(self, name: str, payload: dict | None = None, *, until_quiet: float = 0.0,
                   timeout: float = 30.0) -> Reply:
        """Send one event; the reply is timed at its first delta frame."""
        assert self._ws is not None
        while not self._frames.empty():  # late frames of an earlier event are not this one's
            self._frames.get_nowait()
        event = {"name": name, "payload": payload or {}, "router_data": self.router_data()}
        started = time.perf_counter()
        await self._ws.send_str(f"42{NAMESPACE}," + json.dumps(["event", event]))
        reply: Reply | None = None
        early_bytes = early_frames = 0
        deadline = time.monotonic() + timeout
        while True:
            wait = deadline - time.monotonic()
            if reply is not None:
                wait = min(wait, until_quiet)
            try:
                at, size, data = await asyncio.wait_for(self._frames.get(), max(wait, 0.001))
            except TimeoutError:
                if reply is None:
                    raise TimeoutError(f"{name}: no answer after {timeout:.0f} s") from None
                return reply
            if data is None:
                raise RuntimeError(f"connection closed: {self.closed_reason}")
            delta = _delta(data)
            if reply is None:
                if not delta:  # e.g. an events-only frame before the delta
                    early_bytes, early_frames = early_bytes + size, early_frames + 1
                    continue
                reply = Reply(ms=(at - started) * 1000, bytes=early_bytes, frames=early_frames)
            reply.bytes += size
            reply.frames += 1
            if delta:
                reply.deltas.append(delta)
            if until_quiet <= 0:
                return reply

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)
        if self._session is not None:
            await self._session.close()


def _delta(data: list | None) -> dict:
    if not data or len(data) < 2 or data[0] != "event" or not isinstance(data[1], dict):
        return {}
    delta = data[1].get("delta")
    return delta if isinstance(delta, dict) else {}
