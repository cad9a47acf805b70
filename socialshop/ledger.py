"""Ledger command line: `python -m socialshop.ledger check [--db-url URL]`.

Exit status 0 when every invariant of services/ledger.py holds, 1 otherwise (with one
line per problem), so it can run from cron or CI after a deploy.
"""

from __future__ import annotations

import argparse
import sys

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from socialshop.db import get_engine, make_engine
from socialshop.services import ledger


def _check(db_url: str | None) -> int:
    engine = make_engine(db_url) if db_url else get_engine()
    try:
        with Session(engine) as session:
            problems = ledger.check_invariants(session)
            transactions, entries = ledger.counts(session)
    except SQLAlchemyError as error:
        # e.g. a database that was never migrated: a problem too, not a traceback.
        where = engine.url.render_as_string(hide_password=True)
        print(f"cannot read the ledger at {where}: {type(error).__name__}: {error.args[0] if error.args else error}")
        return 1
    finally:
        engine.dispose()
    if problems:
        print(f"ledger has {len(problems)} problem(s):")
        for problem in problems:
            print(f"  - {problem}")
        return 1
    print(f"ledger OK: {transactions} transactions, {entries} entries")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m socialshop.ledger", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="verify the ledger invariants")
    check.add_argument("--db-url", help="database URL (default: REFLEX_DB_URL or the local SQLite file)")
    args = parser.parse_args(argv)
    if args.command == "check":
        return _check(args.db_url)
    parser.error(f"unknown command {args.command!r}")
    return 2


if __name__ == "__main__":
    sys.exit(main())
