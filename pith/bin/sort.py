"""sort: sort lines of text files byte-wise, as GNU sort in the C locale.

Options: -b -d -f -i -n -r (global or per key), -k POS1[,POS2], -t SEP, -u, -s, -c, -o FILE,
-z. Equal keys fall back to comparing whole lines (not with -s or -u), as GNU does; -u keeps
the first of each run of equal keys. Exit status 2 on errors, 1 when -c finds disorder.
"""

import decimal
import functools
import os
import re
import sys
from collections.abc import Callable

from pith.lib.gnu import UsageError, broken_pipe, options, strerror
from pith.lib.gnu import usage_error as _usage_error

PROG = "sort"
HELP = """Usage: sort [OPTION]... [FILE]...
Write sorted concatenation of all FILE(s) to standard output.

With no FILE, or when FILE is -, read standard input.

Ordering options:
  -b, --ignore-leading-blanks  ignore leading blanks
  -d, --dictionary-order      consider only blanks and alphanumeric characters
  -f, --ignore-case           fold lower case to upper case characters
  -i, --ignore-nonprinting    consider only printable characters
  -n, --numeric-sort          compare according to string numerical value
  -r, --reverse               reverse the result of comparisons

Other options:
  -c, --check               check for sorted input; do not sort
  -k, --key=KEYDEF          sort via a key; KEYDEF gives location and type
  -o, --output=FILE         write result to FILE instead of standard output
  -s, --stable              stabilize sort by disabling last-resort comparison
  -t, --field-separator=SEP  use SEP instead of non-blank to blank transition
  -u, --unique              output only the first of an equal run
  -z, --zero-terminated     line delimiter is NUL, not newline
      --help     display this help and exit

KEYDEF is F[.C][OPTS][,F[.C][OPTS]] for start and stop position, where F is a
field number and C a character position in the field; both are origin 1, and
the stop position defaults to the line's end.  OPTS is one or more single-letter
ordering options [bdfinr], which override global ordering options for that key.
"""
LONG = {"ignore-leading-blanks": "b", "dictionary-order": "d", "ignore-case": "f",
        "ignore-nonprinting": "i", "numeric-sort": "n", "reverse": "r", "check": "c",
        "key=": "k", "output=": "o", "stable": "s", "field-separator=": "t", "unique": "u",
        "zero-terminated": "z"}
ORDERING = set("bdfinr")
BLANK = b" \t"
NUMBER = re.compile(rb"[ \t]*(-?)(\d*)(?:\.(\d*))?")
KEYDEF = re.compile(r"(\d+)(?:\.(\d+))?([bdfinr]*)(?:,(\d+)(?:\.(\d+))?([bdfinr]*))?")


def usage_error(message: str, status: int = 1) -> int:
    return _usage_error(PROG, message, status)


class Key:
    """One -k: fields and characters (1-based; end char 0 = end of field) and its options."""

    def __init__(self, sf: int, sc: int, ef: int | None, ec: int, opts: str,
                 start_blank: bool, end_blank: bool) -> None:
        self.sf, self.sc, self.ef, self.ec = sf, sc, ef, ec
        self.opts, self.start_blank, self.end_blank = opts, start_blank, end_blank


def parse_key(text: str, global_opts: set[str]) -> Key:
    m = KEYDEF.fullmatch(text)
    if not m or int(m.group(1)) == 0 or (m.group(2) is not None and int(m.group(2)) == 0):
        raise UsageError(f"invalid number at field start: invalid count at start of '{text}'"
                         if not m or int(m.group(1)) == 0 else
                         f"character offset is zero: invalid field specification '{text}'")
    sf, sc, o1, ef, ec, o2 = m.groups()
    opts = set(o1 + (o2 or ""))
    inherit = not (opts & ORDERING)
    own = (global_opts if inherit else opts) & ORDERING
    start_blank = "b" in o1 or (inherit and "b" in global_opts)
    end_blank = "b" in (o2 or "") or (inherit and "b" in global_opts)
    return Key(int(sf), int(sc or 1), int(ef) if ef else None, int(ec or 0),
               "".join(sorted(own)), start_blank, end_blank)


def field_spans(line: bytes, sep: bytes | None) -> list[tuple[int, int]]:
    if sep is not None:
        spans, start = [], 0
        while (cut := line.find(sep, start)) >= 0:
            spans.append((start, cut))
            start = cut + 1
        return [*spans, (start, len(line))]
    spans, i, n = [], 0, len(line)
    while True:
        start = i
        while i < n and line[i] in BLANK:
            i += 1
        while i < n and line[i] not in BLANK:
            i += 1
        spans.append((start, i))
        if i >= n:
            return spans


def skip_blanks(line: bytes, i: int, limit: int) -> int:
    while i < limit and line[i] in BLANK:
        i += 1
    return i


def extract(line: bytes, key: Key, sep: bytes | None) -> bytes:
    spans, n = field_spans(line, sep), len(line)
    if key.sf > len(spans):
        return b""
    start = spans[key.sf - 1][0]
    if key.start_blank:
        start = skip_blanks(line, start, n)
    start = min(start + key.sc - 1, n)
    if key.ef is None or key.ef > len(spans):
        end = n
    elif key.ec == 0:
        end = spans[key.ef - 1][1]
    else:
        end = spans[key.ef - 1][0]
        if key.end_blank:
            end = skip_blanks(line, end, n)
        end = min(end + key.ec, n)
    return line[start:end] if end > start else b""


def number(text: bytes) -> decimal.Decimal:
    m = NUMBER.match(text)
    assert m is not None
    sign, whole, frac = m.groups()
    if not whole and not frac:
        return decimal.Decimal(0)
    return decimal.Decimal(f"{sign.decode()}{whole.decode() or '0'}.{(frac or b'').decode()}0")


def transform(text: bytes, opts: str) -> bytes:
    if "b" in opts:
        text = text.lstrip(BLANK)
    if "d" in opts:
        text = bytes(c for c in text if c in BLANK or (chr(c).isalnum() and c < 128))
    if "i" in opts:
        text = bytes(c for c in text if 32 <= c < 127)
    if "f" in opts:
        text = text.upper()
    return text


def compare_with(opts: str, a: bytes, b: bytes) -> int:
    if "n" in opts:
        x, y = number(a), number(b)
    else:
        x, y = transform(a, opts), transform(b, opts)  # type: ignore[assignment]
    result = (x > y) - (x < y)
    return -result if "r" in opts else result


def comparator(keys: list[Key], global_opts: set[str], sep: bytes | None,
               last_resort: bool) -> Callable[[bytes, bytes], int]:
    whole = "".join(sorted(global_opts & ORDERING))

    def compare(a: bytes, b: bytes) -> int:
        for key in keys:
            if r := compare_with(key.opts, extract(a, key, sep), extract(b, key, sep)):
                return r
        if not keys and (r := compare_with(whole, a, b)):
            return r
        if not last_resort:
            return 0
        r = (a > b) - (a < b)
        return -r if "r" in global_opts else r
    return compare


def read_lines(names: list[str], eol: bytes) -> list[bytes]:
    lines: list[bytes] = []
    for name in names:
        try:
            if name == "-":
                data = sys.stdin.buffer.read()
            else:
                with open(name, "rb") as src:
                    data = src.read()
        except OSError as e:
            raise OSError(e.errno, f"cannot read: {name}: {strerror(e)}") from None
        parts = data.split(eol)
        if parts and parts[-1] == b"":
            parts.pop()
        lines += parts
    return lines


def command(argv: list[str]) -> int:
    opts, args = options(argv, "bdfinrck:o:st:uzT:S:", [*LONG, "help"])
    flags: set[str] = set()
    key_texts: list[str] = []
    output, sep = None, None
    for o, v in opts:
        if o == "--help":
            sys.stdout.write(HELP)
            return 0
        letter = LONG.get(o[2:], LONG.get(o[2:] + "=", o[1:]))
        if letter == "k":
            key_texts.append(v)
        elif letter == "o":
            output = v
        elif letter == "t":
            raw = os.fsencode(v)
            if len(raw) != 1 and raw != b"\\0":
                raise UsageError(f"multi-character tab '{v}'" if raw else "empty tab")
            sep = b"\0" if raw == b"\\0" else raw
        flags.add(letter)
    keys = [parse_key(text, flags) for text in key_texts]
    eol = b"\0" if "z" in flags else b"\n"
    try:
        lines = read_lines(args or ["-"], eol)
    except OSError as e:
        sys.stderr.write(f"{PROG}: {e.strerror}\n")
        return 2
    compare = comparator(keys, flags, sep, not flags & {"s", "u"})
    if "c" in flags:
        for i in range(1, len(lines)):
            r = compare(lines[i - 1], lines[i])
            if r > 0 or (r == 0 and "u" in flags):
                label = args[0] if args else "-"
                text = lines[i].decode(errors="replace")
                sys.stderr.write(f"{PROG}: {label}:{i + 1}: disorder: {text}\n")
                return 1
        return 0
    lines.sort(key=functools.cmp_to_key(compare))
    if "u" in flags:
        unique = comparator(keys, flags, sep, False)
        lines = [line for i, line in enumerate(lines) if i == 0 or unique(lines[i - 1], line)]
    data = b"".join(line + eol for line in lines)
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return 0
    try:
        with open(output, "wb") as out:
            out.write(data)
    except OSError as e:
        sys.stderr.write(f"{PROG}: open failed: {output}: {strerror(e)}\n")
        return 2
    return 0


def main(argv: list[str]) -> int:
    try:
        return command(argv)
    except UsageError as e:
        return usage_error(str(e), 2)
    except BrokenPipeError:
        return broken_pipe()
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
