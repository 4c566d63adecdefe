"""How a script ends: sys.exit with ints, strings, None; uncaught, chained and KeyboardInterrupt."""
import sys


class AppError(Exception):
    pass


def parse(text):
    try:
        return int(text)
    except ValueError as e:
        raise AppError(f"bad number {text!r}") from e


how = sys.argv[1]
print("start", how)
sys.stdout.flush()
if how == "int":
    sys.exit(3)
elif how == "big":
    sys.exit(256 + 5)
elif how == "text":
    sys.exit("fatal: something went wrong")
elif how == "none":
    sys.exit()
elif how == "chained":
    parse("x1")
elif how == "ctrlc":
    raise KeyboardInterrupt
elif how == "exit":
    exit(7)
elif how == "nested":
    try:
        {}["key"]
    except KeyError:
        print(undefined_name)  # noqa: F821
elif how == "systemexit_in_finally":
    try:
        raise RuntimeError("lost")
    finally:
        sys.exit(9)
elif how == "excepthook":
    sys.excepthook = lambda t, v, tb: print("hook:", t.__name__, v, file=sys.stderr)
    raise ValueError("via hook")
print("end", how)
