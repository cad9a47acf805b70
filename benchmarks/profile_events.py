"""Profile SocialShop's backend (cProfile) while light clients like posts: where an event's time goes.

    .venv/bin/python benchmarks/profile_events.py [--clients 10] [--events 40] [--top 40] [--floor]

The backend runs in a process of its own under cProfile (uvicorn, one event loop: the
thread where Reflex runs plain `def` handlers), on a throw-away database made as
bench_events.py makes it; `--clients` light clients hydrate on /feed/instagram, each logged in
with its own account, and like posts (closed loop). Then the backend stops, and the
profile's top functions (cumulative and own time) are printed, with the events handled
per second of profiled CPU. `--floor` profiles the bare-Reflex floor's counter instead.
`--out FILE` keeps the .pstats (e.g. for snakeviz).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _floor  # noqa: E402
from _reflex_client import LightClient  # noqa: E402
from bench_events import FEED_PATH, FLOOR_INCREMENT, Names, percentile  # noqa: E402


def _serve(root: str, app_module: str, port: int, out: str) -> None:
    """In the backend process: import the app, serve its ASGI app under cProfile until SIGINT."""
    os.chdir(root)
    sys.path.insert(0, root)
    import importlib

    import uvicorn

    app = importlib.import_module(app_module).app
    server = uvicorn.Server(uvicorn.Config(app(), host="127.0.0.1", port=port, log_level="warning"))
    profile = cProfile.Profile()
    profile.enable()
    try:
        server.run()
    finally:
        profile.disable()
        profile.dump_stats(out)


async def _drive(base: str, app, clients: int, events: int, floor: bool) -> list[float]:
    if floor:
        connected = [await LightClient.connect(base, path="/") for _ in range(clients)]
        jobs = [(c, FLOOR_INCREMENT, {}) for c in connected]
    else:
        names = Names(app.info["handlers"])
        like = names.one("toggle_like")
        ids = app.info["feed_post_ids"]
        connected = [await LightClient.connect(base, path=FEED_PATH, storage=names.storage(app.tokens[n]))
                     for n in range(clients)]
        jobs = [(c, like, {"post_id": ids[n % len(ids)]}) for n, c in enumerate(connected)]
    samples: list[float] = []

    async def loop(client, event, payload):
        for _ in range(events):
            samples.append((await client.send(event, payload)).ms)

    await asyncio.gather(*(loop(*job) for job in jobs))
    await asyncio.gather(*(c.close() for c in connected))
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--events", type=int, default=40)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--floor", action="store_true", help="profile the floor app's counter")
    parser.add_argument("--out", help="keep the profile here (.pstats)")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="profile-events-"))
    out = args.out or f"{workdir}.pstats"
    if args.floor:
        root, module, env, app = _floor.floor_root(workdir), "floor.floor", _floor.base_env(), None
    else:
        root = _floor.socialshop_root(workdir)
        env = _floor.socialshop_env(workdir)
        made = _floor.prepare_socialshop_database(root, env, users=args.clients, posts=20)
        module = "socialshop.socialshop"
        app = _floor.ServedApp.make("", emails=made["emails"], tokens=made["tokens"], info=made)
    port = _floor.free_port()
    env = {**env, "PYTHONPATH": f"{root}{os.pathsep}{env.get('PYTHONPATH', '')}"}
    log = open(workdir / "backend.log", "wb")
    proc = subprocess.Popen([sys.executable, __file__, "serve", str(root), module, str(port), out],
                            cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while _floor.http_status(f"{base}/ping") != 200:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"backend not up:\n{_floor.tail(workdir / 'backend.log')}")
            time.sleep(0.3)
        if app is not None:
            app = _floor.ServedApp.make(base, emails=app.emails, tokens=app.tokens, info=app.info)
        t0 = time.monotonic()
        samples = asyncio.run(_drive(base, app, args.clients, args.events, args.floor))
        wall = time.monotonic() - t0
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
        log.close()
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"{len(samples)} events from {args.clients} clients in {wall:.1f} s ({len(samples) / wall:.0f}/s): "
          f"round trip p50 {percentile(samples, 50):.1f} ms, p95 {percentile(samples, 95):.1f} ms "
          "(under cProfile: slower than unprofiled)")
    stats = pstats.Stats(out)
    stats.sort_stats("cumulative").print_stats(args.top)
    stats.sort_stats("tottime").print_stats(args.top)
    print(f"profile: {out}")
    return 0


if __name__ == "__main__" and len(sys.argv) == 6 and sys.argv[1] == "serve":
    _serve(*sys.argv[2:4], int(sys.argv[4]), sys.argv[5])
elif __name__ == "__main__":
    sys.exit(main())
