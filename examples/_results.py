"""Shared by the examples: write results.json with NumPy values made plain."""

import json

import numpy as np


def _plain(x):
    if isinstance(x, dict):
        return {str(k): _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    if isinstance(x, (np.ndarray, np.generic)):
        return x.tolist()
    return x


def write_results(path, results):
    """``results`` (nested dicts / lists / NumPy values) as JSON at ``path``."""
    path.write_text(json.dumps(_plain(results), indent=1))
