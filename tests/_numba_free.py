"""Run a script of small calls in a fresh process and fail if any of them
imports Numba (the NumPy tier's promise for inputs up to config.NUMPY_MAX)."""

import os
import subprocess
import sys
import textwrap

_PRELUDE = '''
import sys


def stop_if_numba(what):
    """Exit with a message when the call just made imported Numba."""
    if "numba" in sys.modules:
        print("numba imported by", what)
        sys.exit(1)
'''


def assert_numba_free(script, *argv, timeout=300):
    """Run ``script`` (which calls ``stop_if_numba(what)`` after each call)
    with ``argv``; assert it ran to the end without importing Numba."""
    env = {k: v for k, v in os.environ.items() if k != "FASTMETRICS_NUMPY_MAX"}
    code = _PRELUDE + textwrap.dedent(script) + "\nstop_if_numba('the end')\nprint('numba-free')\n"
    out = subprocess.run([sys.executable, "-c", code, *map(str, argv)], capture_output=True,
                         text=True, timeout=timeout, env=env)
    assert out.returncode == 0 and out.stdout.strip().endswith("numba-free"), (
        out.stdout + out.stderr[-3000:])
