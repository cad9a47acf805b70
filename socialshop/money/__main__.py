"""python -m socialshop.money reconcile: settle stale payment attempts now and say how."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m socialshop.money")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("reconcile", help="resolve processing/confirming attempts past their grace period")
    run.add_argument("--all", action="store_true", help="no grace period: ask about every unresolved attempt now")
    args = parser.parse_args(argv)

    import datetime as dt

    from socialshop.db import get_engine
    from socialshop.money.reconcile import reconcile, reconcile_refunds

    zero = dt.timedelta(0) if args.all else None
    resolved = reconcile(get_engine(), processing_after=zero, confirming_after=zero)
    resolved += reconcile_refunds(get_engine(), after=zero)
    for resolution in resolved:
        print(resolution)
    print(f"{len(resolved)} attempt(s) looked at")
    return 0


if __name__ == "__main__":
    sys.exit(main())
