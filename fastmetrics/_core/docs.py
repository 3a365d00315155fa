"""Shared docstring fragments: a family writes a parameter block once and
every function of the family shows it.

A docstring holds a placeholder line such as ``    {sequence_params}`` (four
spaces, the name in braces, alone on its line); :func:`fill` replaces it with
the block, indented as the numpydoc parameters are.
"""


def fill(**blocks):
    """Decorator: replace each ``    {name}`` line of the docstring by ``blocks[name]``.

    Parameters
    ----------
    **blocks : str
        Parameter blocks, indented by four spaces (numpydoc parameter level);
        leading and trailing blank lines are dropped.

    Returns
    -------
    decorator
        Returns the function itself with its ``__doc__`` filled.
    """
    def decorate(func):
        doc = func.__doc__
        for name, text in blocks.items():
            placeholder = "    {" + name + "}\n"
            if placeholder not in doc:
                raise AssertionError(f"{func.__name__}'s docstring has no {placeholder!r}")
            doc = doc.replace(placeholder, text.strip("\n") + "\n")
        func.__doc__ = doc
        return func

    return decorate
