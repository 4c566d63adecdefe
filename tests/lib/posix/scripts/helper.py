"""A module beside crash.py: imported from the script's directory."""


def double(x):
    return 2 * x
