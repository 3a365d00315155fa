"""How a kernel reads one label or prediction value (plain integers, no Numba:
the kernels read them as compile-time constants, the Python side passes them)."""

MODE_ID = 0  # the value is a class id (multilabel: must be 0 or 1)
MODE_ARGMAX = 1  # argmax over the row (first maximum wins, like numpy)
MODE_THRESHOLD = 2  # 1 if value > threshold else 0
MODE_NONZERO = 3  # 1 if value != 0 else 0 (scikit-learn's multilabel reading)
