"""tr: translate, squeeze (-s) or delete (-d) bytes from stdin to stdout; -c complements SET1,
-t truncates it. SETs take \\NNN and \\n-style escapes, ranges a-z, [:class:], [=c=], [c*n]."""

import os
import re
import sys

from pith.lib.gnu import UsageError, broken_pipe, options
from pith.lib.gnu import usage_error as _usage_error

PROG = "tr"
HELP = """Usage: tr [OPTION]... STRING1 [STRING2]
Translate, squeeze, and/or delete characters from standard input,
writing to standard output.  STRING1 and STRING2 specify arrays of
characters ARRAY1 and ARRAY2 that control the action.

  -c, -C, --complement    use the complement of ARRAY1
  -d, --delete            delete characters in ARRAY1, do not translate
  -s, --squeeze-repeats   replace each sequence of a repeated character
                            that is listed in the last specified ARRAY,
                            with a single occurrence of that character
  -t, --truncate-set1     first truncate ARRAY1 to length of ARRAY2
      --help     display this help and exit

ARRAYs are specified as strings of characters.  Interpreted sequences are:
  \\NNN  character with octal value NNN     \\\\  backslash
  \\a \\b \\f \\n \\r \\t \\v  the usual escapes
  CHAR1-CHAR2  all characters from CHAR1 to CHAR2 in ascending order
  [CHAR*]      in ARRAY2, copies of CHAR until length of ARRAY1
  [CHAR*REPEAT]  REPEAT copies of CHAR, REPEAT octal if starting with 0
  [:alnum:] [:alpha:] [:blank:] [:cntrl:] [:digit:] [:graph:] [:lower:]
  [:print:] [:punct:] [:space:] [:upper:] [:xdigit:]  the characters of the class
  [=CHAR=]     all characters equivalent to CHAR
"""
ESC = {ord("a"): 7, ord("b"): 8, ord("f"): 12, ord("n"): 10, ord("r"): 13, ord("t"): 9,
       ord("v"): 11, ord("\\"): 92}


def usage_error(message: str, status: int = 1) -> int:
    return _usage_error(PROG, message, status)


def _class(test: "type[object] | object") -> list[int]:
    return [c for c in range(256) if test(c)]  # type: ignore[operator]


CLASSES = {
    "alnum": _class(lambda c: chr(c).isalnum() and c < 128),
    "alpha": _class(lambda c: chr(c).isalpha() and c < 128),
    "blank": [9, 32], "cntrl": [*range(32), 127], "digit": list(range(48, 58)),
    "graph": list(range(33, 127)), "lower": list(range(97, 123)), "print": list(range(32, 127)),
    "punct": _class(lambda c: 33 <= c < 127 and not chr(c).isalnum()),
    "space": [9, 10, 11, 12, 13, 32], "upper": list(range(65, 91)),
    "xdigit": [*range(48, 58), *range(65, 71), *range(97, 103)],
}
REPEAT = re.compile(rb"\[(\\?.|\\[0-7]{1,3})\*(\d*)\]", re.S)


class SetError(Exception):
    pass


def char_at(s: bytes, i: int) -> tuple[int, int]:
    """The byte at s[i] (after escapes) and the index after it."""
    if s[i] != 92 or i + 1 >= len(s):
        return s[i], i + 1
    j = i + 1
    if s[j] in b"01234567":
        k = j
        while k < len(s) and k < j + 3 and s[k] in b"01234567":
            k += 1
        return int(s[j:k], 8) & 0xFF, k
    return ESC.get(s[j], s[j]), j + 1


def expand(s: bytes, second: bool) -> tuple[list[int], int | None]:
    """The bytes a SET stands for, and where a [c*] fill goes (second set only)."""
    out: list[int] = []
    fill: int | None = None
    i = 0
    while i < len(s):
        if s.startswith(b"[:", i) and (end := s.find(b":]", i + 2)) > 0:
            name = s[i + 2:end].decode(errors="replace")
            if name not in CLASSES:
                raise SetError(f"invalid character class '{name}'")
            out += CLASSES[name]
            i = end + 2
            continue
        if s.startswith(b"[=", i) and (end := s.find(b"=]", i + 2)) > 0:
            out.append(char_at(s, i + 2)[0])
            i = end + 2
            continue
        m = REPEAT.match(s, i)
        if m:
            c = char_at(m.group(1), 0)[0]
            count = m.group(2)
            if not count and second:
                fill = len(out)
                out.append(c)
            else:
                n = int(count, 8 if count.startswith(b"0") else 10) if count else 0
                out += [c] * n
            i = m.end()
            continue
        c, j = char_at(s, i)
        if j < len(s) - 1 and s[j] == 45:
            d, k = char_at(s, j + 1)
            if d < c:
                raise SetError(f"range-endpoints of '{chr(c)}-{chr(d)}' are in reverse "
                               "collating sequence order")
            out += range(c, d + 1)
            i = k
            continue
        out.append(c)
        i = j
    return out, fill


def command(argv: list[str]) -> int:
    opts, args = options(argv, "cCdst", ["complement", "delete", "squeeze-repeats",
                                         "truncate-set1", "help"])
    flags = {o.lstrip("-")[:1].lower() if len(o) == 2 else o[2:3] for o, _ in opts}
    if "help" in {o[2:] for o, _ in opts}:
        sys.stdout.write(HELP)
        return 0
    delete, squeeze = "d" in flags, "s" in flags
    needed = 2 if (delete and squeeze) or not (delete or squeeze) else 1
    if not args:
        raise UsageError("missing operand")
    if len(args) < needed:
        raise UsageError(f"missing operand after '{args[0]}'\n"
                         + ("Two strings must be given when translating." if not delete else
                            "Two strings must be given when both deleting and squeezing."))
    if len(args) > needed and not (squeeze and not delete and len(args) == 2):
        raise UsageError(f"extra operand '{args[needed]}'"
                         + ("\nOnly one string may be given when deleting without squeezing "
                            "repeats." if delete else ""))
    try:
        set1, _ = expand(os.fsencode(args[0]), False)
        set2, fill = expand(os.fsencode(args[1]), True) if len(args) > 1 else ([], None)
    except SetError as e:
        sys.stderr.write(f"{PROG}: {e}\n")
        return 1
    if "c" in flags:
        members = set(set1)
        set1 = [c for c in range(256) if c not in members]
    translating = len(args) > 1 and not delete
    if translating:
        if not set2:
            sys.stderr.write(f"{PROG}: when not truncating set1, string2 must be non-empty\n")
            return 1
        if fill is not None:
            set2[fill:fill + 1] = [set2[fill]] * max(len(set1) - len(set2) + 1, 0)
        if "t" in flags:
            set1 = set1[:len(set2)]
        set2 = set2 + [set2[-1]] * (len(set1) - len(set2))
    table = bytearray(range(256))
    if translating:
        for a, b in zip(set1, set2, strict=False):
            table[a] = b
    deleted = bytes(set1) if delete else b""
    squeezable = set(set2 if len(args) > 1 else set1) if squeeze else set()
    last = -1
    read = getattr(sys.stdin.buffer, "read1", sys.stdin.buffer.read)
    while chunk := read(65536):
        data = chunk.translate(bytes(table), deleted)
        if squeezable:
            out = bytearray()
            for c in data:
                if c == last and c in squeezable:
                    continue
                out.append(c)
                last = c
            data = bytes(out)
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0


def main(argv: list[str]) -> int:
    try:
        return command(argv)
    except UsageError as e:
        return usage_error(str(e))
    except BrokenPipeError:
        return broken_pipe()
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
