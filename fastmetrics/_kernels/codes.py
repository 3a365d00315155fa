"""Why a token is bad: the codes every kernel returns instead of raising.

A kernel reports the flat index of the first bad token of each chunk and one
of these codes; ``_core/errors.py`` and the families turn them into messages
that name the argument and the token.  Plain integers, no Numba: the kernels
read them as compile-time constants, the Python side compares with them.
"""

OK = 0
TRUE_OUT_OF_RANGE = 1  # a class id of y_true outside [0, C) (or the label range)
PRED_OUT_OF_RANGE = 2  # a predicted class id outside [0, C)
TRUE_NOT_INTEGRAL = 3  # NaN, inf or a fractional value where a class id was expected
PRED_NOT_INTEGRAL = 4  # the same in the predictions
PRED_NOT_FINITE = 5  # a NaN or infinite score
TRUE_NOT_FINITE = 6  # NaN or inf in a one-hot / probabilistic target row
WEIGHT_INVALID = 7  # a negative or non-finite sample weight
TRUE_INVALID = 8  # a label the kernel cannot use (it does not tell the reasons apart)
PRED_NOT_PROBABILITY = 9  # a probability that is NaN or outside [0, 1]
ROW_SUM_ZERO = 10  # the probabilities of a row sum to 0
TRUE_NOT_IN_LABELS = 11  # a label that is not one of the given classes
