"""Feed pages through the service vs one hand-written indexed query, first and deep pages.

    python benchmarks/bench_feed.py [--quick] [--pg-url URL] [--no-sqlite] [--no-postgres]

Builds 100k posts (by people and by shops, over the four apps, with equal created_at
times and times not in id order), 20k products (some withdrawn, a few shops deleted),
1M likes (the viewer likes every third post), comments, product tags and fundraisers in
a temporary SQLite file and in a throw-away PostgreSQL database (dropped afterwards),
with every table and index of the SQLModel metadata (the migrations build the same
schema: tests/unit/test_migrations.py). Bulk loaded: executemany on SQLite, COPY on
PostgreSQL; then ANALYZE (VACUUM ANALYZE on PostgreSQL, so index-only scans work).

For the mixed feed and the Instagram feed, at the first page and after 10, 1000 and 4000
pages (clamped to the last full page), it times `feed.list_feed` (a logged-in viewer,
through a Session, labels formatted) against ONE hand-written SQL statement returning the
same rows (author, counts, the viewer's like, visible tags, fundraiser) and prints the p50
of each, their ratio, the service with its label caches emptied before every call
("cold"), the old `created_at < c OR (created_at = c AND id < i)` cursor for reference,
and the statements one service page runs. Target: service <= 2x hand SQL at any depth.
Exit status 1 when a page's rows differ from the hand query's or the statements per page
change with depth.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Table, TextClause, event, text  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402
from sqlmodel import Session, SQLModel  # noqa: E402

import socialshop.models  # noqa: E402,F401  (registers every table)
from benchmarks._common import DEFAULT_PG_URL, postgres_target, temporary_database  # noqa: E402
from socialshop.db import make_engine  # noqa: E402
from socialshop.models import User  # noqa: E402
from socialshop.services import feed, money  # noqa: E402

APPS = ("facebook", "instagram", "messenger", "whatsapp")
T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
VIEWER_ID = 1
PAGE_SIZE = feed.DEFAULT_PAGE_SIZE
TARGET_RATIO = 2.0

FULL = {"posts": 100_000, "products": 20_000, "likes": 1_000_000, "comments": 100_000, "users": 20_000, "shops": 1_000}
QUICK = {"posts": 10_000, "products": 2_000, "likes": 100_000, "comments": 10_000, "users": 2_000, "shops": 100}

HAND_SQL = """
SELECT p.id, p.app, p.author_user_id, p.author_shop_id, p.text, p.image, p.created_at,
       u.display_name, s.name, s.slug, s.logo,
       (SELECT count(*) FROM "like" l WHERE l.post_id = p.id) AS likes,
       (SELECT count(*) FROM comment c WHERE c.post_id = p.id) AS comments,
       (SELECT count(*) FROM "like" l WHERE l.post_id = p.id AND l.user_id = :viewer) AS liked,
       (SELECT count(*) FROM producttag t JOIN product pr ON pr.id = t.product_id
          JOIN shop ps ON ps.id = pr.shop_id
          WHERE t.post_id = p.id AND pr.active = :yes AND ps.deleted_at IS NULL) AS tags,
       f.id, f.raised_cents, f.goal_cents
FROM post p
LEFT JOIN "user" u ON u.id = p.author_user_id
LEFT JOIN shop s ON s.id = p.author_shop_id
LEFT JOIN fundraiser f ON f.post_id = p.id
WHERE (p.author_shop_id IS NULL OR s.deleted_at IS NULL) {app} {cursor}
ORDER BY p.created_at DESC, p.id DESC
LIMIT :n
"""
ROW_CURSOR = "AND (p.created_at, p.id) < ((SELECT created_at FROM post WHERE id = :c), :c)"
OR_CURSOR = (
    "AND (p.created_at < (SELECT created_at FROM post WHERE id = :c)"
    " OR (p.created_at = (SELECT created_at FROM post WHERE id = :c) AND p.id < :c))"
)


# ---------------------------------------------------------------- data


def _filler(column) -> object:
    """A value for a NOT NULL column the data set does not care about."""
    python_type: type = str
    with contextlib.suppress(NotImplementedError):
        python_type = column.type.python_type
    if python_type is bool:
        return False
    if python_type is int:
        return 0
    if python_type is float:
        return 0.0
    if python_type is dt.datetime:
        return T0
    return ""


def _rows(table: Table, given: list[dict]) -> tuple[list[str], list[tuple]]:
    """Column names and value tuples: what `given` sets, fillers for the other NOT NULL columns."""
    if not given:
        return [], []
    keys = set(given[0])
    extra = {c.name: _filler(c) for c in table.columns if c.name not in keys and not c.nullable and not c.primary_key}
    names = list(given[0]) + list(extra)
    tail = tuple(extra.values())
    return names, [tuple(row.values()) + tail for row in given]


def _post_time(i: int, posts: int) -> dt.datetime:
    # A permutation of the ids, three posts a second: equal times, and time order is not id order.
    return T0 + dt.timedelta(seconds=((i * 7919) % posts) // 3)


def build_data(size: dict) -> dict[str, list[dict]]:
    users, shops, products, posts = size["users"], size["shops"], size["products"], size["posts"]
    data: dict[str, list[dict]] = {}
    data["user"] = [
        {"id": u, "email": f"u{u}@bench.example", "display_name": f"User {u}", "password_hash": "x",
         "role": "merchant" if u > users - shops else "shopper", "language": "en", "created_at": T0}
        for u in range(1, users + 1)
    ]
    data["shop"] = [
        {"id": s, "owner_id": users - shops + s, "name": f"Shop {s}", "slug": f"shop-{s}",
         "logo": f"/shops/{s}.png" if s % 3 else "", "created_at": T0,
         "deleted_at": T0 if s % 50 == 0 else None}
        for s in range(1, shops + 1)
    ]
    data["product"] = [
        {"id": j, "shop_id": (j % shops) + 1, "title": f"Product {j}", "price_cents": 100 + (j * 37) % 9000,
         "currency": "EUR", "stock": j % 7, "image": "", "active": j % 20 != 0, "created_at": T0}
        for j in range(1, products + 1)
    ]
    data["post"] = [
        {"id": i, "author_user_id": None if i % 2 else ((i * 17) % users) + 1,
         "author_shop_id": ((i * 13) % shops) + 1 if i % 2 else None, "app": APPS[i % 4],
         "text": f"Post number {i}", "image": "", "created_at": _post_time(i, posts)}
        for i in range(1, posts + 1)
    ]
    tags = []
    for i in range(5, posts + 1, 5):
        tags.append({"post_id": i, "product_id": ((i * 31) % products) + 1, "x_pct": 40.0, "y_pct": 60.0})
        if i % 10 == 0:
            tags.append({"post_id": i, "product_id": ((i * 31 + 1) % products) + 1, "x_pct": 70.0, "y_pct": 20.0})
    data["producttag"] = tags
    data["fundraiser"] = [
        {"post_id": i, "title": f"Fundraiser {i}", "organizer_id": ((i * 17) % users) + 1, "goal_cents": 10_000,
         "raised_cents": (i * 13) % 12_000, "currency": "EUR", "created_at": T0}
        for i in range(97, posts + 1, 97)
    ]
    # Likes: the viewer likes every third post; the others come from a per-post walk over the
    # users with a step prime to their number, so no (post, user) pair repeats.
    likes = []
    target = size["likes"] - posts // 3
    average = max(round(target / posts), 1)
    step = 104_729
    for i in range(1, posts + 1):
        if i % 3 == 0:
            likes.append({"post_id": i, "user_id": VIEWER_ID, "created_at": T0})
        count = (i * 37) % (2 * average + 1)
        for j in range(count):
            user = ((i * 7 + j * step) % (users - 1)) + 2  # never the viewer
            likes.append({"post_id": i, "user_id": user, "created_at": T0})
    data["like"] = likes
    data["comment"] = [
        {"post_id": ((k * 7) % posts) + 1, "user_id": ((k * 11) % users) + 1, "text": "Nice!", "created_at": T0}
        for k in range(size["comments"])
    ]
    return data


LOAD_ORDER = ("user", "shop", "product", "post", "producttag", "fundraiser", "like", "comment")


def load(engine: Engine, data: dict[str, list[dict]]) -> None:
    SQLModel.metadata.create_all(engine)
    tables = SQLModel.metadata.tables
    if engine.dialect.name == "postgresql":
        raw = engine.raw_connection()
        try:
            conn = raw.driver_connection
            with conn.cursor() as cur:
                for name in LOAD_ORDER:
                    columns, rows = _rows(tables[name], data[name])
                    if not rows:
                        continue
                    cols = ", ".join(f'"{c}"' for c in columns)
                    with cur.copy(f'COPY "{name}" ({cols}) FROM STDIN') as copy:
                        for row in rows:
                            copy.write_row(row)
                for name in LOAD_ORDER:
                    if "id" in data[name][0]:
                        cur.execute(f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), (SELECT max(id) FROM \"{name}\"))")
            conn.commit()
            conn.autocommit = True
            conn.execute("VACUUM ANALYZE")
            conn.autocommit = False
        finally:
            raw.close()
        return
    with engine.begin() as conn:
        for name in LOAD_ORDER:
            columns, rows = _rows(tables[name], data[name])
            if not rows:
                continue
            placeholders = ", ".join("?" for _ in columns)
            cols = ", ".join(f'"{c}"' for c in columns)
            # SQLite stores UTCDateTime as a naive UTC text, as the type's bind processor does.
            rows = [tuple(v.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
                          if isinstance(v, dt.datetime) else v for v in row) for row in rows]
            conn.exec_driver_sql(f'INSERT INTO "{name}" ({cols}) VALUES ({placeholders})', rows)
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")


# ---------------------------------------------------------------- measuring


class StatementCounter:
    def __init__(self, engine: Engine) -> None:
        self.engine, self.count = engine, 0

    def _count(self, *_args) -> None:
        self.count += 1

    def __enter__(self) -> StatementCounter:
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *_exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._count)


def service_page(engine: Engine, viewer: User, app: str | None, cursor: int | None) -> list[feed.PostView]:
    with Session(engine) as session:
        return feed.list_feed(session, viewer=viewer, app=app, limit=PAGE_SIZE, before_id=cursor)


@functools.lru_cache(maxsize=None)
def _hand_statement(with_app: bool, with_cursor: bool, or_cursor: bool) -> TextClause:
    """Built once, as a hand-written query in an application would be."""
    return text(
        HAND_SQL.format(
            app="AND p.app = :app" if with_app else "",
            cursor="" if not with_cursor else (OR_CURSOR if or_cursor else ROW_CURSOR),
        )
    )


def hand_page(engine: Engine, app: str | None, cursor: int | None, *, or_cursor: bool = False) -> list:
    sql = _hand_statement(bool(app), cursor is not None, or_cursor)
    params: dict[str, object] = {"viewer": VIEWER_ID, "n": PAGE_SIZE, "yes": True}
    if app:
        params["app"] = app
    if cursor is not None:
        params["c"] = cursor
    with engine.connect() as conn:
        return conn.execute(sql, params).all()


def _when(value) -> dt.datetime:
    at = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)


def comparable_service(views: list[feed.PostView]) -> list[tuple]:
    return [
        (v.id, v.app, v.author_kind, v.author_name, v.author_shop_slug, v.text, v.image,
         _when(v.created_at_iso), v.like_count, v.comment_count, v.liked_by_viewer, len(v.tags),
         v.fundraiser.id if v.fundraiser else None, v.fundraiser.raised_cents if v.fundraiser else None,
         v.fundraiser.goal_cents if v.fundraiser else None)
        for v in views
    ]


def comparable_hand(rows: list) -> list[tuple]:
    out = []
    for (pid, app, _user_id, shop_id, body, image, created_at, user_name, shop_name, slug, _logo,
         likes, comments, liked, tags, fid, raised, goal) in rows:
        shop = shop_id is not None
        out.append((pid, app, "shop" if shop else "user", (shop_name if shop else user_name) or "",
                    slug if shop else None, body, image, _when(created_at), int(likes), int(comments),
                    bool(liked), int(tags), fid, max(raised, 0) if fid is not None else None,
                    max(goal, 0) if fid is not None else None))
    return out


def _clear_label_caches() -> None:
    money._format_money_cached.cache_clear()
    money._format_datetime_cached.cache_clear()
    money._format_medium_date.cache_clear()
    feed._time_labels.cache_clear()


def p50_ms(fn, reps: int, before=None) -> float:
    times = []
    for _ in range(reps):
        if before is not None:
            before()
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def cursor_after(engine: Engine, app: str | None, pages: int) -> int | None:
    """The id of the last post of page `pages` (None: the first page), by the feed's order."""
    if pages == 0:
        return None
    sql = (
        "SELECT p.id FROM post p LEFT JOIN shop s ON s.id = p.author_shop_id"
        " WHERE (p.author_shop_id IS NULL OR s.deleted_at IS NULL)" + (" AND p.app = :app" if app else "")
        + " ORDER BY p.created_at DESC, p.id DESC LIMIT 1 OFFSET :o"
    )
    params: dict[str, object] = {"o": pages * PAGE_SIZE - 1}
    if app:
        params["app"] = app
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar_one_or_none()


def visible_posts(engine: Engine, app: str | None) -> int:
    sql = (
        "SELECT count(*) FROM post p LEFT JOIN shop s ON s.id = p.author_shop_id"
        " WHERE (p.author_shop_id IS NULL OR s.deleted_at IS NULL)" + (" AND p.app = :app" if app else "")
    )
    with engine.connect() as conn:
        return int(conn.execute(text(sql), {"app": app} if app else {}).scalar_one())


def bench_database(label: str, engine: Engine, data: dict, args) -> tuple[bool, float]:
    """Prints one database's table; returns (rows and statements all right, worst ratio)."""
    start = time.perf_counter()
    load(engine, data)
    setup = time.perf_counter() - start
    sizes = ", ".join(f"{len(data[n]):,} {n}" for n in ("post", "product", "like", "comment"))
    print(f"\n{label}: {sizes}; set-up {setup:.1f} s; page size {PAGE_SIZE}; p50 of {args.reps} runs")
    with Session(engine) as session:
        viewer = session.get(User, VIEWER_ID)
        session.expunge(viewer)  # type: ignore[arg-type]
    header = (f"{'feed':<10} {'after page':>10} {'service':>9} {'hand SQL':>9} {'ratio':>6} "
              f"{'cold labels':>11} {'ratio':>6} {'OR cursor SQL':>13} {'statements':>10}")
    print(header)
    ok, worst = True, 0.0
    for app in (None, "instagram"):
        last_page = visible_posts(engine, app) // PAGE_SIZE - 1
        statements: set[int] = set()
        depths = sorted({min(wanted, last_page) for wanted in args.depths})
        for pages in depths:
            wanted = max(args.depths) if pages == last_page else pages
            cursor = cursor_after(engine, app, pages)
            served = service_page(engine, viewer, app, cursor)  # type: ignore[arg-type]
            expected = hand_page(engine, app, cursor)
            if comparable_service(served) != comparable_hand(expected) or len(served) != PAGE_SIZE:
                ok = False
                print(f"  ROWS DIFFER: {app or 'all apps'} after page {pages}")
            with StatementCounter(engine) as counter:
                service_page(engine, viewer, app, cursor)  # type: ignore[arg-type]
            statements.add(counter.count)
            for _ in range(3):  # warm-up: pool, statement caches, label caches
                service_page(engine, viewer, app, cursor)  # type: ignore[arg-type]
                hand_page(engine, app, cursor)
            service = p50_ms(lambda: service_page(engine, viewer, app, cursor), args.reps)  # type: ignore[arg-type]
            hand = p50_ms(lambda: hand_page(engine, app, cursor), args.reps)
            cold = p50_ms(lambda: service_page(engine, viewer, app, cursor), args.reps, _clear_label_caches)  # type: ignore[arg-type]
            old = p50_ms(lambda: hand_page(engine, app, cursor, or_cursor=True), max(args.reps // 5, 3))
            ratio, cold_ratio = service / hand, cold / hand
            worst = max(worst, ratio)
            depth = f"{pages}" + (" (last)" if pages < wanted else "")
            print(f"{app or 'all apps':<10} {depth:>10} {service:>7.2f}ms {hand:>7.2f}ms {ratio:>5.2f}x "
                  f"{cold:>9.2f}ms {cold_ratio:>5.2f}x {old:>11.2f}ms {counter.count:>10}")
        if len(statements) != 1:
            ok = False
            print(f"  STATEMENTS PER PAGE CHANGE WITH DEPTH: {sorted(statements)}")
    met = "met" if worst <= TARGET_RATIO else "NOT met"
    print(f"target: service <= {TARGET_RATIO:g}x hand SQL at any depth: {met} (worst {worst:.2f}x)")
    return ok, worst


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10k posts, 2k products, 100k likes")
    parser.add_argument("--reps", type=int, default=None, help="timed runs per figure (default 50, quick 15)")
    parser.add_argument("--depths", default="0,10,1000,4000", help="pages before the measured one")
    parser.add_argument("--pg-url", default=None, help=f"PostgreSQL server (default REFLEX_DB_URL, else {DEFAULT_PG_URL})")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args(argv)
    args.reps = args.reps or (15 if args.quick else 50)
    args.depths = [int(d) for d in args.depths.split(",")]
    size = QUICK if args.quick else FULL
    start = time.perf_counter()
    data = build_data(size)
    print(f"data set built in {time.perf_counter() - start:.1f} s"
          f" ({'quick' if args.quick else 'full'}: {size['posts']:,} posts, {size['likes']:,} likes wanted)")
    results = []
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory(prefix="bench_feed_") as tmp:
            engine = make_engine(f"sqlite:///{Path(tmp) / 'feed.db'}")
            try:
                results.append(bench_database("SQLite (temporary file)", engine, data, args))
            finally:
                engine.dispose()
    pg = None if args.no_postgres else postgres_target(args.pg_url, default=DEFAULT_PG_URL)
    if pg is not None:
        try:
            with temporary_database(pg, prefix="socialshop_bench_feed") as url:
                engine = make_engine(url)
                try:
                    results.append(bench_database("PostgreSQL (throw-away database)", engine, data, args))
                finally:
                    engine.dispose()
        except Exception as exc:  # noqa: BLE001  (no server: say so, keep SQLite's figures)
            if "connect" not in str(exc).lower():
                raise
            print(f"\nPostgreSQL skipped: {exc.__class__.__name__}: {str(exc).splitlines()[0]}")
    ok = all(r[0] for r in results)
    print("\nresult:", "OK" if ok else "FAILED (rows differ or statements per page change with depth)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
