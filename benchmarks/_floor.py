"""Serving apps for the benchmarks: the bare-Reflex "floor" app and SocialShop, both in prod mode.

    with serve_floor_app() as url: ...                    # http://127.0.0.1:PORT
    with serve_socialshop(users=10, posts=64) as app: ... # app is the URL (a str) with
                                                          # .emails, .tokens, .workdir, ...

Both run `reflex run --env prod --single-port` with ONE Granian worker (no Redis: the
worker keeps the states in memory) on a spare loopback port, each from a private folder
in a temporary directory, so they neither touch nor wait for the checkout's `.web`; the
checkout's `.web` (when there is one) is copied, its node_modules hard-linked, so a build
needs no package install. The first build without any `.web` installs the packages (a
minute or two); later ones take seconds.

The floor app ("floor/floor.py", written here): what Reflex itself costs.
- `/`: a counter. A heading, the count (`#count`) and one button "Increment" whose
  event adds 1 to an int: the smallest round trip Reflex can make.
- `/items`: N static items (articles with a heading and a line of text), compiled into
  the page: a page load with no state to fetch.
- `/items-state`: the same N items from a state var filled by `on_load`: a page load
  whose first screen waits for hydration and one event, as a Reflex feed does.

SocialShop: migrated and seeded throw-away SQLite database in the temporary folder, the
sandbox gateway; `users=N` accounts `bench-user-{n}@example.com` (password PASSWORD), each
with a login token (`app.tokens[n]`: put it in the browser's localStorage
"socialshop_auth", or in a light client's hydrate); `posts=N` makes sure at least N posts
are on /feed/instagram (filler posts by a seeded shop, one product tag each).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
BUILD_TIMEOUT = 300.0  # first build with package install; later ones take seconds
PASSWORD = "socialshop-demo"
FLOOR_ITEMS = 20
FEED_APP = "instagram"


class ServedApp(str):
    """The base URL of a served app (use it as a str), with what was made for it."""

    workdir: Path
    log_path: Path
    pid: int
    emails: list[str]
    tokens: list[str]
    info: dict

    @classmethod
    def make(cls, url: str, **fields) -> ServedApp:
        served = cls(url)
        served.emails, served.tokens, served.info = [], [], {}
        for name, value in fields.items():
            setattr(served, name, value)
        return served


def user_email(n: int) -> str:
    return f"bench-user-{n}@example.com"


# ------------------------------------------------------------------ machinery


def base_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment of a served app: system bun, no telemetry, one Granian worker, no Redis."""
    env = {
        **os.environ,
        "PATH": f"{VENV_BIN}{os.pathsep}{Path.home() / '.bun' / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        "REFLEX_USE_SYSTEM_BUN": "1",
        "REFLEX_TELEMETRY_ENABLED": "false",
        "REFLEX_USE_GRANIAN": "true",
        "GRANIAN_WORKERS": "1",
        **(extra or {}),
    }
    env.pop("REFLEX_REDIS_URL", None)
    return env


def copy_web(source_root: Path, root: Path) -> None:
    """Copy `source_root/.web` into `root` (no build output; node_modules hard-linked)."""
    web = source_root / ".web"
    if not web.is_dir():
        return
    skip = {"node_modules", "build"}
    shutil.copytree(web, root / ".web", symlinks=True,
                    ignore=lambda folder, names: [n for n in names if Path(folder) == web and n in skip])
    if (web / "node_modules").is_dir():
        linked = subprocess.run(["cp", "-al", str(web / "node_modules"), str(root / ".web" / "node_modules")],
                                capture_output=True)
        if linked.returncode != 0:  # another file system: a real copy
            shutil.rmtree(root / ".web" / "node_modules", ignore_errors=True)
            shutil.copytree(web / "node_modules", root / ".web" / "node_modules", symlinks=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except Exception:
        return 0


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


@contextlib.contextmanager
def serve_reflex(root: Path, env: dict[str, str], log_path: Path, *, ready_path: str = "/") -> Iterator[tuple[str, int]]:
    """`reflex run --env prod --single-port` in `root` on a spare port; yields (base URL, pid)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [str(VENV_BIN / "reflex"), "run", "--env", "prod", "--single-port", "--backend-port", str(port),
             "--loglevel", "warning"],
            cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        try:
            deadline = time.monotonic() + BUILD_TIMEOUT
            while not (http_status(f"{base}/ping") == 200 and http_status(f"{base}{ready_path}") == 200):
                if proc.poll() is not None:
                    raise RuntimeError(f"the app in {root} exited ({proc.returncode}):\n{tail(log_path)}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the app in {root} was not up after {BUILD_TIMEOUT:.0f} s:\n{tail(log_path)}")
                time.sleep(0.5)
            yield base, proc.pid
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)  # the group of the process started above
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(timeout=5)


@contextlib.contextmanager
def _workdir(prefix: str, keep: bool) -> Iterator[Path]:
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield workdir
    finally:
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)


# ------------------------------------------------------------------ the floor app

FLOOR_RXCONFIG = '''\
import reflex as rx
from reflex.plugins.sitemap import SitemapPlugin

config = rx.Config(
    app_name="floor",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    disable_plugins=[SitemapPlugin],
)
'''

FLOOR_APP = '''\
"""The bare-Reflex floor: a counter, and N items (static, or from state on_load)."""

import reflex as rx

N_ITEMS = {items}


class CounterState(rx.State):
    count: int = 0

    @rx.event
    def increment(self):
        self.count += 1


class ItemsState(rx.State):
    items: list[str] = []

    @rx.event
    def load(self):
        self.items = [f"Item {{i}}" for i in range(N_ITEMS)]


def _item(title) -> rx.Component:
    return rx.box(rx.heading(title, size="3"), rx.text("A line of text under the item."),
                  role="article", padding="1em")


def index() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.heading("Counter"),
            rx.text(CounterState.count, id="count"),
            rx.button("Increment", on_click=CounterState.increment),
        )
    )


def items() -> rx.Component:
    return rx.vstack(rx.heading("Items"), *[_item(f"Item {{i}}") for i in range(N_ITEMS)])


def items_state() -> rx.Component:
    return rx.vstack(rx.heading("Items"), rx.foreach(ItemsState.items, _item))


app = rx.App()
app.add_page(index, route="/", title="Floor")
app.add_page(items, route="/items", title="Items")
app.add_page(items_state, route="/items-state", title="Items", on_load=ItemsState.load)
'''


def floor_root(workdir: Path, *, items: int = FLOOR_ITEMS) -> Path:
    """Write the floor app's sources into `workdir/floor-app` (with a copy of a `.web`)."""
    root = workdir / "floor-app"
    (root / "floor").mkdir(parents=True)
    (root / "rxconfig.py").write_text(FLOOR_RXCONFIG)
    (root / "floor" / "__init__.py").write_text("")
    (root / "floor" / "floor.py").write_text(textwrap.dedent(FLOOR_APP.format(items=int(items))))
    (root / "requirements.txt").write_text("reflex\n")
    copy_web(PROJECT_ROOT, root)
    return root


@contextlib.contextmanager
def serve_floor_app(*, items: int = FLOOR_ITEMS, keep: bool = False) -> Iterator[ServedApp]:
    """The floor app served in prod mode; yields its base URL (a ServedApp)."""
    with _workdir("floor-", keep) as workdir:
        root = floor_root(workdir, items=items)
        log_path = workdir / "floor.log"
        env = base_env({"REFLEX_DB_URL": f"sqlite:///{workdir / 'floor.db'}"})
        with serve_reflex(root, env, log_path, ready_path="/") as (base, pid):
            yield ServedApp.make(base, workdir=workdir, log_path=log_path, pid=pid)


# ------------------------------------------------------------------ SocialShop


def socialshop_root(workdir: Path) -> Path:
    """A private copy of the project to build and serve from: sources linked, `.web` copied."""
    root = workdir / "app"
    root.mkdir()
    for name in ("socialshop", "alembic", "alembic.ini", "rxconfig.py", "pyproject.toml"):
        (root / name).symlink_to(PROJECT_ROOT / name)
    for name in ("assets", "reflex.lock"):
        if (PROJECT_ROOT / name).is_dir():
            shutil.copytree(PROJECT_ROOT / name, root / name, symlinks=True)
        elif (PROJECT_ROOT / name).is_file():
            shutil.copy2(PROJECT_ROOT / name, root / name)
    copy_web(PROJECT_ROOT, root)
    return root


def socialshop_env(workdir: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    return base_env({
        "REFLEX_DB_URL": f"sqlite:///{workdir / 'bench.db'}",
        "SOCIALSHOP_DATA_DIR": str(workdir),
        "SOCIALSHOP_PAYMENT_PROVIDER": "sandbox",
        **(extra or {}),
    })


def prepare_socialshop_database(root: Path, env: dict[str, str], *, users: int, posts: int) -> dict:
    """Migrate and seed the throw-away database, add the accounts and posts; returns what was made."""
    subprocess.run([str(VENV_BIN / "reflex"), "db", "migrate"], cwd=root, env=env, check=True,
                   capture_output=True)
    subprocess.run([sys.executable, "-m", "socialshop.seed"], cwd=root, env=env, check=True,
                   capture_output=True)
    out = subprocess.run([sys.executable, __file__, "setup", str(users), str(posts)],
                         cwd=root, env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _setup(users: int, posts: int) -> None:
    """In a subprocess whose environment points at the throw-away database: prints JSON."""
    sys.path.insert(0, str(PROJECT_ROOT))
    import datetime as dt

    from sqlalchemy import func, update
    from sqlmodel import select

    from socialshop.db import session_scope
    from socialshop.models import Post, Product, ProductTag, Shop
    from socialshop.services import accounts

    made: dict = {"emails": [], "tokens": []}
    with session_scope() as session:
        for n in range(users):
            email = user_email(n)
            accounts.sign_up(session, email=email, password=PASSWORD, display_name=f"Bench user {n}",
                             language="en")
            made["emails"].append(email)
        session.commit()
        # Plenty of stock: adding to the cart never runs out.
        session.exec(update(Product).values(stock=100_000))
        have = session.exec(select(func.count()).select_from(Post).where(Post.app == FEED_APP)).one()
        shop = session.exec(select(Shop).order_by(Shop.id)).first()
        product = session.exec(
            select(Product).where(Product.shop_id == shop.id, Product.active == True).order_by(Product.id)  # noqa: E712
        ).first()
        oldest = session.exec(select(func.min(Post.created_at))).one() or dt.datetime.now(dt.UTC)
        for n in range(max(0, posts - have)):
            post = Post(author_shop_id=shop.id, app=FEED_APP, text=f"Bench post {n}: new arrivals this week.",
                        image="", created_at=oldest - dt.timedelta(minutes=n + 1))
            session.add(post)
            session.flush()
            session.add(ProductTag(post_id=post.id, product_id=product.id, x_pct=50.0, y_pct=50.0))
        session.commit()
        made["product_id"] = product.id
        made["posts"] = session.exec(select(func.count()).select_from(Post).where(Post.app == FEED_APP)).one()
    # Log in outside the sign-up transaction (argon2 per account; the throttle is per account).
    for email in made["emails"]:
        with session_scope() as session:
            made["tokens"].append(accounts.log_in(session, email=email, password=PASSWORD, client="bench").token)
            session.commit()
    made["handlers"] = _handler_names()
    print(json.dumps(made))


def _handler_names() -> dict[str, list[str]]:
    """Every event handler of the app's states: its name -> the full names to send it by."""
    import reflex as rx

    import socialshop.socialshop  # noqa: F401  (registers every state)

    names: dict[str, list[str]] = {}
    todo = [rx.State]
    while todo:
        cls = todo.pop()
        todo.extend(cls.get_substates())
        for handler in cls.event_handlers:
            names.setdefault(handler, []).append(f"{cls.get_full_name()}.{handler}")
    return names


@contextlib.contextmanager
def serve_socialshop(*, users: int = 0, posts: int = 0, env: dict[str, str] | None = None,
                     keep: bool = False) -> Iterator[ServedApp]:
    """SocialShop served in prod mode on a throw-away database; yields its base URL (a ServedApp).

    `users`: accounts made and logged in (`.emails`, `.tokens`); `posts`: at least that many
    posts on /feed/instagram; `env`: extra environment for the app (and its set-up).
    """
    with _workdir("socialshop-bench-", keep) as workdir:
        app_env = socialshop_env(workdir, env)
        root = socialshop_root(workdir)
        made = prepare_socialshop_database(root, app_env, users=users, posts=posts)
        log_path = workdir / "app.log"
        with serve_reflex(root, app_env, log_path, ready_path="/login") as (base, pid):
            yield ServedApp.make(base, workdir=workdir, log_path=log_path, pid=pid, emails=made["emails"],
                                 tokens=made["tokens"], info=made)


if __name__ == "__main__" and len(sys.argv) == 4 and sys.argv[1] == "setup":
    _setup(int(sys.argv[2]), int(sys.argv[3]))
elif __name__ == "__main__":
    # A smoke test: both apps up, their first pages answer.
    with serve_floor_app() as floor_url:
        print("floor:", floor_url, http_status(floor_url + "/"), http_status(floor_url + "/items"))
    with serve_socialshop(users=1, posts=30) as app_url:
        print("socialshop:", app_url, http_status(app_url + "/login"), app_url.info)
