"""The examples in docs/ and in the docstrings run and print what they claim."""

import doctest
import importlib
import pkgutil
from pathlib import Path

import pytest

import fastmetrics

DOCS = sorted((Path(__file__).resolve().parents[1] / "docs").glob("*.md"))
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_doc_page_examples(path):
    result = doctest.testfile(str(path), module_relative=False, optionflags=FLAGS)
    assert result.failed == 0


def test_doc_pages_exist():
    names = {p.name for p in DOCS}
    for needed in ("input-forms-and-tasks.md", "masks-and-weights.md",
                   "why-metrics-equal-accuracy.md", "benchmarks.md"):
        assert needed in names


# every module of the package except the Keras classes (which need a backend)
MODULES = sorted(
    m.name for m in pkgutil.walk_packages(fastmetrics.__path__, "fastmetrics.")
    if not m.name.startswith("fastmetrics.keras")
)
# modules whose public functions or states carry examples
# (the streaming states are documented under their public module)
WITH_EXAMPLES = {
    "fastmetrics.calibration.brier", "fastmetrics.calibration.functional",
    "fastmetrics.classification.functional", "fastmetrics.streaming",
    "fastmetrics.weighting.functional",
}


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=FLAGS)
    assert result.failed == 0
    if name in WITH_EXAMPLES:
        assert result.attempted > 0
