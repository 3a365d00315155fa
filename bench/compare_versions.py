"""Two versions of fastmetrics side by side: the same benchmark scripts, run
alternately against each checkout, and the change of every fastmetrics row.

    python bench/compare_versions.py --old PATH [--new PATH] [--rounds 2]
        [--scripts compare,compare_ranking,compare_losses] [-- SCRIPT ARGS...]

``PATH`` is the root of a checkout (the folder holding ``fastmetrics/``).  Each
script of this folder is run in a fresh process with ``PYTHONPATH`` set to one
checkout (so ``import fastmetrics`` picks that version), in the order old,
new, new, old, ... (``--rounds`` pairs), with a separate warm Numba cache per
version (one untimed run of each first fills it).  The scripts print markdown
tables whose rows name the implementation and give the best time in ms (or
lines ``<name> best <ms> ms``); for every fastmetrics row the best time over
the rounds is kept per version.

Printed: per row, old and new best (ms), new / old, and the peer ratios
(``peer / fastmetrics``) the scripts report, old and new.  A ratio drop of
more than 5 % is flagged.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
# a table row: | case | implementation | ... best (ms) | ...
_ROW = re.compile(r"^\|(?P<cells>.+)\|\s*$")
# or a line: <name>  best <ms> ms  median ...
_LINE = re.compile(r"^(?P<name>\S.*?)\s+best\s+(?P<ms>[\d.,]+) ms")


def _run(script, root, cache, args):
    env = dict(os.environ, PYTHONPATH=root, NUMBA_CACHE_DIR=cache, PYTHONUNBUFFERED="1")
    cmd = [sys.executable, os.path.join(HERE, script + ".py"), *args]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=tempfile.gettempdir())
    if out.returncode:
        raise SystemExit(f"{script} failed under {root}:\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}")
    return out.stdout


def _best_column(header):
    for i, h in enumerate(header):
        if h.strip().lower().startswith("best"):
            return i
    return None


def _rows(text):
    """{(case, implementation): best ms} of every fastmetrics table row."""
    found = {}
    header = None
    for line in text.splitlines():
        m = _ROW.match(line.strip())
        if not m:
            header = None
            m = _LINE.match(line.strip())
            if m:
                found[m.group("name")] = float(m.group("ms").replace(",", ""))
            continue
        cells = [c.strip() for c in m.group("cells").split("|")]
        if set("".join(cells)) <= set("-: "):
            continue
        if header is None:
            header = cells
            continue
        col = _best_column(header)
        if col is None or col >= len(cells):
            continue
        label = " / ".join(cells[:col])
        try:
            best = float(cells[col].replace(",", ""))
        except ValueError:
            continue
        found[label] = best
    return found


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    extra = []
    if "--" in argv:
        i = argv.index("--")
        argv, extra = argv[:i], argv[i + 1:]
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--old", required=True, help="root of the old checkout")
    ap.add_argument("--new", default=ROOT, help="root of the new checkout (default: this one)")
    ap.add_argument("--rounds", type=int, default=2, help="old/new pairs per script")
    ap.add_argument("--scripts", default="compare,compare_ranking,compare_losses")
    args = ap.parse_args(argv)
    caches = {v: tempfile.mkdtemp(prefix=f"fm_{v}_numba_") for v in ("old", "new")}
    roots = {"old": os.path.abspath(args.old), "new": os.path.abspath(args.new)}
    print(f"old = {roots['old']}\nnew = {roots['new']}\nscript args: {extra}\n")
    for script in [s.strip() for s in args.scripts.split(",") if s.strip()]:
        for v in ("old", "new"):  # fill each version's Numba cache (untimed)
            _run(script, roots[v], caches[v], extra)
        best = {"old": {}, "new": {}}
        order = []
        for r in range(args.rounds):
            order += ["old", "new"] if r % 2 == 0 else ["new", "old"]
        for v in order:
            for label, ms in _rows(_run(script, roots[v], caches[v], extra)).items():
                best[v][label] = min(ms, best[v].get(label, float("inf")))
        print(f"## {script} ({args.rounds} rounds, order {' '.join(order)})\n")
        print("| row | old best (ms) | new best (ms) | new / old |")
        print("|---|---:|---:|---:|")
        worst = 0.0
        for label in best["old"]:
            if label not in best["new"] or "fastmetrics" not in label:
                continue
            o, n = best["old"][label], best["new"][label]
            change = n / o if o else float("nan")
            worst = max(worst, change)
            flag = "  **> 5 % slower**" if change > 1.05 else ""
            print(f"| {label} | {o:,.2f} | {n:,.2f} | {change:.3f}{flag} |")
        print(f"\nslowest row: new / old = {worst:.3f}\n", flush=True)


if __name__ == "__main__":
    main()
