"""python -m socialshop.payments reconcile: the same command as python -m socialshop.money."""

import sys

from socialshop.money.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
