"""seq: print numbers from FIRST to LAST, in steps of INCREMENT (GNU's options -s, -w, -f)."""

import sys
from decimal import Decimal, InvalidOperation

USAGE = """Usage: seq [OPTION]... LAST
  or:  seq [OPTION]... FIRST LAST
  or:  seq [OPTION]... FIRST INCREMENT LAST
Print numbers from FIRST to LAST, in steps of INCREMENT.

  -f, --format=FORMAT      use printf style floating-point FORMAT
  -s, --separator=STRING   use STRING to separate numbers (default: \\n)
  -w, --equal-width        equalize width by padding with leading zeroes
      --help     display this help and exit"""


def fail(message: str) -> int:
    print(f"seq: {message}\nTry 'seq --help' for more information.", file=sys.stderr)
    return 1


def decimals(text: str) -> int:
    return len(text.split(".", 1)[1]) if "." in text and "e" not in text.lower() else 0


def main(argv: list[str]) -> int:
    sep, width, fmt, numbers = "\n", False, None, []
    args = iter(argv)
    for arg in args:
        if arg == "--help":
            print(USAGE)
            return 0
        if arg in ("-s", "--separator") or arg.startswith("--separator="):
            sep = arg.split("=", 1)[1] if "=" in arg else next(args, None)
            if sep is None:
                return fail(f"option requires an argument -- '{arg.lstrip('-')[0]}'")
        elif arg.startswith("-s") and len(arg) > 2:
            sep = arg[2:]
        elif arg in ("-w", "--equal-width"):
            width = True
        elif arg in ("-f", "--format") or arg.startswith("--format="):
            fmt = arg.split("=", 1)[1] if "=" in arg else next(args, None)
            if fmt is None:
                return fail("option requires an argument -- 'f'")
        elif arg.startswith("-") and len(arg) > 1 and not arg[1].isdigit() and arg[1] != ".":
            return fail(f"invalid option -- '{arg[1]}'")
        else:
            numbers.append(arg)
    if not numbers:
        return fail("missing operand")
    if len(numbers) > 3:
        return fail(f"extra operand '{numbers[3]}'")
    try:
        values = [Decimal(n) for n in numbers]
    except InvalidOperation:
        bad = next(n for n in numbers if not _is_number(n))
        return fail(f"invalid floating point argument: '{bad}'")
    first, step, last = (Decimal(1), Decimal(1), values[0]) if len(values) == 1 else \
        (values[0], Decimal(1), values[1]) if len(values) == 2 else tuple(values)
    if step == 0:
        return fail(f"invalid Zero increment value: '{numbers[1]}'")
    places = max(decimals(n) for n in numbers[:2] if n) if len(numbers) > 1 else 0
    out, x = [], first
    while (step > 0 and x <= last) or (step < 0 and x >= last):
        out.append(fmt % float(x) if fmt else f"{x:.{places}f}")
        x += step
    if width and not fmt:
        size = max((len(s) for s in out), default=0)
        out = [("-" + s[1:].rjust(size - 1, "0")) if s.startswith("-") else s.rjust(size, "0")
               for s in out]
    if out:
        sys.stdout.write(sep.join(out) + "\n")
    return 0


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except InvalidOperation:
        return False
    return True


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BrokenPipeError:
        sys.exit(141)
