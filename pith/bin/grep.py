"""grep: print lines that match patterns (-E -F -G -i -v -c -n -l -L -q -s -w -x -o -h -H -r
-m NUM -e PAT -f FILE -a, context -A/-B/-C NUM).

Basic (BRE) and extended (ERE) POSIX patterns are translated to Python's `re` over bytes, so
matching is byte-wise as GNU grep's is in the C locale. A file holding a NUL byte is binary:
a match there is reported as 'grep: NAME: binary file matches' (on stderr, as grep 3.8 does)
unless -a. Exit status: 0 a line was selected, 1 none was, 2 an error (and no -q match).
"""

import os
import re
import stat
import sys

from pith.lib.gnu import UsageError, broken_pipe, options, strerror
from pith.lib.gnu import usage_error as _usage_error

PROG = "grep"
HELP = """Usage: grep [OPTION]... PATTERNS [FILE]...
Search for PATTERNS in each FILE.
Example: grep -i 'hello world' menu.h main.c
PATTERNS can contain multiple patterns separated by newlines.

Pattern selection and interpretation:
  -E, --extended-regexp     PATTERNS are extended regular expressions
  -F, --fixed-strings       PATTERNS are strings
  -G, --basic-regexp        PATTERNS are basic regular expressions
  -e, --regexp=PATTERNS     use PATTERNS for matching
  -f, --file=FILE           take PATTERNS from FILE
  -i, --ignore-case         ignore case distinctions in patterns and data
  -w, --word-regexp         match only whole words
  -x, --line-regexp         match only whole lines

Miscellaneous:
  -s, --no-messages         suppress error messages
  -v, --invert-match        select non-matching lines
      --help                display this help text and exit

Output control:
  -m, --max-count=NUM       stop after NUM selected lines
  -n, --line-number         print line number with output lines
  -H, --with-filename       print file name with output lines
  -h, --no-filename         suppress the file name prefix on output
  -o, --only-matching       show only nonempty parts of lines that match
  -q, --quiet, --silent     suppress all normal output
  -r, --recursive           search directories recursively
  -R, --dereference-recursive  likewise, but follow all symlinks
  -a, --text                equivalent to --binary-files=text
  -L, --files-without-match  print only names of FILEs with no selected lines
  -l, --files-with-matches  print only names of FILEs with selected lines
  -c, --count               print only a count of selected lines per FILE

Context control:
  -B, --before-context=NUM  print NUM lines of leading context
  -A, --after-context=NUM   print NUM lines of trailing context
  -C, --context=NUM         print NUM lines of output context

When FILE is '-', read standard input.  With no FILE, read '.' if
recursive, '-' otherwise.  With fewer than two FILEs, assume -h.
Exit status is 0 if any line is selected, 1 otherwise;
if any error occurs and -q is not given, the exit status is 2.
"""
SHORT = "EFGe:f:iywxsvm:nHhoqrRaLlcA:B:C:"
LONG = {"extended-regexp": "E", "fixed-strings": "F", "basic-regexp": "G", "regexp=": "e",
        "file=": "f", "ignore-case": "i", "word-regexp": "w", "line-regexp": "x",
        "no-messages": "s", "invert-match": "v", "max-count=": "m", "line-number": "n",
        "with-filename": "H", "no-filename": "h", "only-matching": "o", "quiet": "q",
        "silent": "q", "recursive": "r", "dereference-recursive": "R", "text": "a",
        "files-without-match": "L", "files-with-matches": "l", "count": "c",
        "after-context=": "A", "before-context=": "B", "context=": "C"}
CLASSES = {b"alpha": b"a-zA-Z", b"digit": b"0-9", b"alnum": b"0-9A-Za-z", b"upper": b"A-Z",
           b"lower": b"a-z", b"space": b" \\t\\n\\r\\f\\v", b"blank": b" \\t",
           b"punct": re.escape(b"!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"),
           b"print": b"\\x20-\\x7e", b"graph": b"\\x21-\\x7e", b"cntrl": b"\\x00-\\x1f\\x7f",
           b"xdigit": b"0-9A-Fa-f"}
WORD = rb"[0-9A-Za-z_]"


def usage_error(message: str, status: int = 1) -> int:
    return _usage_error(PROG, message, status)


class PatternError(Exception):
    pass


def bracket(p: bytes, i: int) -> tuple[bytes, int]:
    """Translate the bracket expression starting at p[i] == '['; return it and the index after."""
    j = i + 1
    out = b"["
    if p[j:j + 1] == b"^":
        out, j = out + b"^", j + 1
    first = True
    while j < len(p):
        c = p[j:j + 1]
        if c == b"]" and not first:
            return out + b"]", j + 1
        first = False
        if c == b"[" and p[j + 1:j + 2] in (b":", b"=", b"."):
            kind = p[j + 1:j + 2]
            end = p.find(kind + b"]", j + 2)
            if end < 0:
                raise PatternError("Unmatched [, [^, [:, [., or [=")
            name = p[j + 2:end]
            if kind == b":":
                if name not in CLASSES:
                    raise PatternError("Invalid character class name")
                out += CLASSES[name]
            else:
                out += re.escape(name)
            j = end + 2
            continue
        out += b"\\" + c if c in b"\\[]^" else c
        j += 1
    raise PatternError("Unmatched [, [^, [:, [., or [=")


def translate(p: bytes, extended: bool) -> bytes:
    """A POSIX BRE or ERE (with GNU's extensions) as a Python regular expression."""
    out: list[bytes] = []
    i, n, start, anchor = 0, len(p), True, True  # start: '*' is literal; anchor: '^' is one
    while i < n:
        c = p[i:i + 1]
        was_start, start = start, False
        was_anchor, anchor = anchor, False
        if c == b"\\" and i + 1 < n:
            d = p[i + 1:i + 2]
            i += 2
            if not extended and d in b"(){}|+?":
                out.append(d)
                start = anchor = d in b"(|"
            elif d in b"<>":
                out.append(b"\\b")
            elif d == b"`":
                out.append(b"\\A")
            elif d == b"'":
                out.append(b"\\Z")
            elif d in b"123456789wWsSbB":
                out.append(b"\\" + d)
            else:
                out.append(re.escape(d))
            continue
        i += 1
        if c == b"[":
            text, i = bracket(p, i - 1)
            out.append(text)
        elif c in b"*+?" and (was_start or (extended and c != b"*" and not out)):
            out.append(b"\\" + c if c == b"*" or extended else re.escape(c))
        elif c == b"*":
            out.append(c)
        elif c in b"(){}|+?":
            out.append(c if extended else b"\\" + c)
            start = anchor = extended and c in b"(|"
        elif c == b"^":
            out.append(c if extended or was_anchor else b"\\^")
            start = was_anchor or extended
        elif c == b"$":
            rest = p[i:]
            at_end = extended or not rest or rest.startswith((b"\\)", b"\\|"))
            out.append(c if at_end else b"\\$")
        elif c == b".":
            out.append(c)
        else:
            out.append(re.escape(c))
    return b"".join(out)


def compile_patterns(patterns: list[bytes], flags: set[str]) -> "re.Pattern[bytes]":
    parts = []
    for p in patterns:
        body = re.escape(p) if "F" in flags else translate(p, "E" in flags)
        parts.append(b"(?:" + body + b")")
    expr = b"|".join(parts) if parts else b"(?!)"
    if "w" in flags:
        expr = b"(?<!" + WORD + b")(?:" + expr + b")(?!" + WORD + b")"
    if "x" in flags:
        expr = b"^(?:" + expr + b")$"
    try:
        return re.compile(expr, re.IGNORECASE if flags & set("iy") else 0)
    except re.error as e:
        raise PatternError(str(e)) from None


class Grep:
    def __init__(self, regex: "re.Pattern[bytes]", flags: set[str], names: bool,
                 max_count: int | None) -> None:
        self.regex, self.f, self.names, self.max_count = regex, flags, names, max_count
        self.implicit_dot = False  # -r with no FILE: names are shown without "./"
        self.context = False  # -A, -B or -C given (even 0: groups are still apart "--")
        self.before = self.after = 0  # context lines (-B, -A)
        self.printed_group = False  # a context group was printed: the next one gets "--"
        self.out = sys.stdout.buffer
        self.selected = False
        self.error = False

    def warn(self, message: str) -> None:
        self.error = True
        if "s" not in self.f:
            sys.stderr.write(f"{PROG}: {message}\n")

    def search(self, data: bytes, label: str) -> None:
        f, out = self.f, self.out
        binary = b"\0" in data and "a" not in f
        lines = data.split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        prefix = (label.encode(errors="surrogateescape") + b":") if self.names else b""
        count = 0
        quiet_output = bool(f & set("qlLc"))
        if self.context and not quiet_output and "o" not in f and not binary:
            self.search_context(lines, label)
            return
        for number, line in enumerate(lines, 1):
            if self.max_count is not None and count >= self.max_count:
                break
            found = self.regex.search(line) is not None
            if found == ("v" in f):
                continue
            count += 1
            self.selected = True
            if "q" in f:
                return
            if quiet_output:
                continue
            if binary:
                out.flush()
                sys.stderr.write(f"{PROG}: {label}: binary file matches\n")
                return
            head = prefix + (b"%d:" % number if "n" in f else b"")
            if "o" in f and "v" not in f:
                for m in self.regex.finditer(line):
                    if m.group(0):
                        out.write(head + m.group(0) + b"\n")
            elif "o" not in f:
                out.write(head + line + b"\n")
        if "c" in f:
            out.write(prefix + b"%d\n" % count)
        if "l" in f and count:
            out.write(label.encode(errors="surrogateescape") + b"\n")
        if "L" in f and not count:
            out.write(label.encode(errors="surrogateescape") + b"\n")

    def search_context(self, lines: list[bytes], label: str) -> None:
        """Selected lines with -B/-A context: context lines marked '-', groups apart '--'."""
        chosen: list[int] = []
        for k, line in enumerate(lines):
            if self.max_count is not None and len(chosen) >= self.max_count:
                break
            if (self.regex.search(line) is not None) != ("v" in self.f):
                chosen.append(k)
        if not chosen:
            return
        self.selected = True
        name = label.encode(errors="surrogateescape")
        selected = set(chosen)
        shown = -1  # the last line index written
        for k in chosen:
            start = max(k - self.before, shown + 1)
            if self.printed_group and (shown < 0 or start > shown + 1):
                self.out.write(b"--\n")
            last = k
            while last + 1 < len(lines) and last + 1 <= k + self.after \
                    and last + 1 not in selected:
                last += 1
            for j in range(start, last + 1):
                mark = b":" if j in selected else b"-"
                head = (name + mark if self.names else b"") + (
                    b"%d" % (j + 1) + mark if "n" in self.f else b"")
                self.out.write(head + lines[j] + b"\n")
            shown = last
            self.printed_group = True

    def file(self, name: str, top: bool) -> None:
        if name == "-" and top:
            self.search(sys.stdin.buffer.read(), "(standard input)")
            return
        try:
            st = os.stat(name) if top or "R" in self.f else os.lstat(name)
            if stat.S_ISDIR(st.st_mode):
                if self.f & set("rR"):
                    for entry in sorted(os.listdir(name)):
                        self.file(os.path.join(name, entry), False)
                    return
                self.warn(f"{name}: Is a directory")
                return
            if stat.S_ISLNK(st.st_mode):
                return
            with open(name, "rb") as src:
                data = src.read()
        except OSError as e:
            self.warn(f"{name}: {strerror(e)}")
            return
        self.search(data, name[2:] if name.startswith("./") and self.implicit_dot else name)
        self.out.flush()


def read_patterns(opts: list[tuple[str, str]], args: list[str]) -> tuple[list[bytes], list[str]]:
    patterns: list[bytes] = []
    given = False
    for o, v in opts:
        if o in ("-e", "--regexp"):
            patterns += os.fsencode(v).split(b"\n")
            given = True
        elif o in ("-f", "--file"):
            with open(v, "rb") if v != "-" else sys.stdin.buffer as src:
                text = src.read()
            patterns += text.split(b"\n")[:-1] if text.endswith(b"\n") else text.split(b"\n")
            given = True
    if not given:
        if not args:
            raise UsageError("no pattern")
        patterns = os.fsencode(args[0]).split(b"\n")
        args = args[1:]
    return patterns, args


def command(argv: list[str]) -> int:
    opts, args = options(argv, SHORT, [*LONG, "help"])
    flags: set[str] = set()
    max_count = None
    context: dict[str, int] = {}
    for o, v in opts:
        if o == "--help":
            sys.stdout.write(HELP)
            return 0
        letter = LONG.get(o[2:] + ("=" if o[2:] + "=" in LONG else ""), o[1:])
        if letter == "m":
            if not v.lstrip("-").isdigit():
                sys.stderr.write(f"{PROG}: invalid max count\n")
                return 2
            max_count = max(int(v), 0) if int(v) >= 0 else None
        if letter in "ABC":
            if not v.isdigit():
                sys.stderr.write(f"{PROG}: {v}: invalid context length argument\n")
                return 2
            context[letter] = int(v)
            continue
        if letter in "EFG":
            flags -= set("EFG")
        flags.add(letter)
    try:
        patterns, files = read_patterns(opts, args)
        regex = compile_patterns(patterns, flags)
    except PatternError as e:
        sys.stderr.write(f"{PROG}: {e}\n")
        return 2
    except OSError as e:
        sys.stderr.write(f"{PROG}: {e.filename}: {strerror(e)}\n")
        return 2
    recursive = bool(flags & set("rR"))
    implicit_dot = recursive and not files
    files = files or (["."] if recursive else ["-"])
    names = ("H" in flags or len(files) > 1 or recursive) and "h" not in flags
    grep = Grep(regex, flags, names, max_count)
    grep.implicit_dot = implicit_dot
    grep.context = bool(context)
    grep.before = context.get("B", context.get("C", 0))
    grep.after = context.get("A", context.get("C", 0))
    for name in files:
        grep.file(name, True)
        if grep.selected and "q" in flags:
            return 0
    sys.stdout.flush()
    if grep.error and not (grep.selected and "q" in flags):
        return 2
    return 0 if grep.selected else 1


def main(argv: list[str]) -> int:
    try:
        return command(argv)
    except UsageError as e:
        if str(e) == "no pattern":
            sys.stderr.write(f"Usage: {PROG} [OPTION]... PATTERNS [FILE]...\n"
                             f"Try '{PROG} --help' for more information.\n")
            return 2
        return usage_error(str(e), 2)
    except BrokenPipeError:
        return broken_pipe()
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
