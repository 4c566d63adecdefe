"""Raises an exception nobody catches: a traceback on stderr, status 1."""


def deep(n: int) -> None:
    if n == 0:
        raise ValueError("something went wrong")
    deep(n - 1)


deep(3)
