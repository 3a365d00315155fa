"""The examples in docs/ and in the docstrings run and print what they claim."""

import doctest
from pathlib import Path

import pytest

import fastmetrics.classification
import fastmetrics.streaming

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


@pytest.mark.parametrize("module", [fastmetrics.classification, fastmetrics.streaming])
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=FLAGS)
    assert result.failed == 0
    assert result.attempted > 0
