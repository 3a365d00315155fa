"""``python -m fastmetrics``: the same command line as the ``fastmetrics`` script."""

import sys

from fastmetrics.cli import main

if __name__ == "__main__":
    sys.exit(main())
