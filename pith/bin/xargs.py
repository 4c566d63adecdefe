"""xargs: build and run command lines from standard input, as GNU xargs does.

Options: -0 (NUL-separated items), -d DELIM, -n MAX-ARGS, -L MAX-LINES, -I REPLACE (one
line at a time, REPLACE in the initial arguments replaced), -r (run nothing on empty input),
-t (print each command on stderr), -a FILE, -s MAX-CHARS. Items are blank-separated with
'…', "…" and backslash quoting otherwise. The command defaults to echo. Exit status as GNU's:
123 if a command exited 1-125, 124 if one exited 255, 125 if one was killed, 126 if it could
not be run, 127 if it was not found.
"""

import subprocess
import sys

from pith.lib.gnu import UsageError, options, strerror
from pith.lib.gnu import usage_error as _usage_error

PROG = "xargs"
HELP = """Usage: xargs [OPTION]... COMMAND [INITIAL-ARGS]...
Run COMMAND with arguments INITIAL-ARGS and more arguments read from input.

  -0, --null                   items are separated by a null, not whitespace;
                                 disables quote and backslash processing
  -a, --arg-file=FILE          read arguments from FILE, not standard input
  -d, --delimiter=CHARACTER    items in input stream are separated by CHARACTER,
                                 not by whitespace
  -I R                         same as --replace=R
  -i, --replace[=R]            replace R in INITIAL-ARGS with names read
                                 from standard input, split at newlines;
                                 if R is unspecified, assume {}
  -L, --max-lines=MAX-LINES    use at most MAX-LINES non-blank input lines per
                                 command line
  -n, --max-args=MAX-ARGS      use at most MAX-ARGS arguments per command line
  -r, --no-run-if-empty        if there are no arguments, then do not run COMMAND
  -s, --max-chars=MAX-CHARS    limit length of command line to MAX-CHARS
  -t, --verbose                print commands before executing them
  -x, --exit                   exit if the size (see -s) is exceeded
      --help                   display this help and exit
"""
LONG = ["null", "arg-file=", "delimiter=", "replace=", "max-lines=", "max-args=",
        "no-run-if-empty", "max-chars=", "verbose", "exit", "help"]


class QuoteError(Exception):
    pass


def usage_error(message: str, status: int = 1) -> int:
    return _usage_error(PROG, message, status)


def blank_items(data: str) -> list[tuple[str, int]]:
    """(item, line number) pairs: blank-separated words with quotes and backslashes."""
    items: list[tuple[str, int]] = []
    i, n, line = 0, len(data), 0
    while i < n:
        c = data[i]
        if c in " \t\n":
            if c == "\n":
                line += 1
            i += 1
            continue
        word, start_line = [], line
        while i < n and data[i] not in " \t\n":
            c = data[i]
            if c in "'\"":
                end = data.find(c, i + 1)
                newline = data.find("\n", i + 1)
                if end < 0 or (0 <= newline < end):
                    kind = "double" if c == '"' else "single"
                    raise QuoteError(f"unmatched {kind} quote; by default quotes are special to"
                                     " xargs unless you use the -0 option")
                word.append(data[i + 1:end])
                i = end + 1
            elif c == "\\" and i + 1 < n:
                word.append(data[i + 1])
                i += 2
            else:
                word.append(c)
                i += 1
        items.append(("".join(word), start_line))
    return items


def unquote(line: str) -> str:
    """One -I line: quotes and backslashes removed, blanks kept."""
    out, i = [], 0
    while i < len(line):
        c = line[i]
        if c in "'\"":
            end = line.find(c, i + 1)
            if end < 0:
                kind = "double" if c == '"' else "single"
                raise QuoteError(f"unmatched {kind} quote; by default quotes are special to"
                                 " xargs unless you use the -0 option")
            out.append(line[i + 1:end])
            i = end + 1
        elif c == "\\" and i + 1 < len(line):
            out.append(line[i + 1])
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def run(argv: list[str], verbose: bool) -> int:
    if verbose:
        sys.stderr.write(" ".join(argv) + "\n")
    sys.stdout.flush()
    try:
        status = subprocess.run(argv).returncode
    except FileNotFoundError:
        sys.stderr.write(f"{PROG}: {argv[0]}: No such file or directory\n")
        return 127
    except OSError as e:
        sys.stderr.write(f"{PROG}: {argv[0]}: {strerror(e)}\n")
        return 126
    if status == 255:
        sys.stderr.write(f"{PROG}: {argv[0]}: exited with status 255; aborting\n")
        return 124
    if status < 0:
        sys.stderr.write(f"{PROG}: {argv[0]}: terminated by signal {-status}\n")
        return 125
    return 123 if 1 <= status <= 125 else status


def positive(text: str, option: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise UsageError(f"invalid number \"{text}\" for -{option} option") from None
    if value < 1:
        raise UsageError(f"value {text} for -{option} option should be >= 1")
    return value


def command(argv: list[str]) -> int:
    cut = first_operand(argv)
    opts, args = options(argv[:cut], "0a:d:I:i::L:n:rs:tx", LONG)
    rest = argv[cut:]
    args += rest[1:] if rest[:1] == ["--"] else rest
    delim: str | None = None
    null = no_empty = verbose = False
    max_args = max_lines = None
    replace: str | None = None
    source = None
    for o, v in opts:
        if o == "--help":
            sys.stdout.write(HELP)
            return 0
        if o in ("-0", "--null"):
            null = True
        elif o in ("-d", "--delimiter"):
            delim = v.encode().decode("unicode_escape") if v.startswith("\\") else v
            if len(delim) != 1:
                raise UsageError(f"invalid input delimiter specification {v}: the delimiter "
                                 "must be either a single character or an escape sequence "
                                 "starting with \\.")
        elif o in ("-I", "-i", "--replace"):
            replace = v or "{}"
        elif o in ("-L", "--max-lines"):
            max_lines = positive(v, "L")
        elif o in ("-n", "--max-args"):
            max_args = positive(v, "n")
        elif o in ("-r", "--no-run-if-empty"):
            no_empty = True
        elif o in ("-t", "--verbose"):
            verbose = True
        elif o in ("-a", "--arg-file"):
            source = v
    base = args or ["echo"]
    try:
        if source is None:
            data = sys.stdin.buffer.read().decode("utf-8", "surrogateescape")
        else:
            with open(source, "rb") as f:
                data = f.read().decode("utf-8", "surrogateescape")
    except OSError as e:
        sys.stderr.write(f"{PROG}: {source}: {strerror(e)}\n")
        return 1
    status = 0
    if replace is not None:
        lines = data.split("\0" if null else (delim or "\n"))
        if lines and lines[-1] == "":
            lines.pop()
        for line in lines:
            item = line if null or delim else line.lstrip(" \t")
            if not item and not (null or delim):
                continue
            if not (null or delim):
                try:
                    item = unquote(item)
                except QuoteError as e:
                    sys.stderr.write(f"{PROG}: {e}\n")
                    return 1
            status = max(status, run([a.replace(replace, item) for a in base], verbose))
            if status in (124, 125, 126, 127):
                return status
        return status
    quote_error = None
    if null or delim is not None:
        parts = data.split("\0" if null else delim or "")
        if parts and parts[-1] == "":
            parts.pop()
        items = [(p, i) for i, p in enumerate(parts)]
    else:
        try:
            items = blank_items(data)
        except QuoteError as e:
            quote_error = str(e)
            items = blank_items(data[:quoted_prefix(data)])
    groups: list[list[str]] = []
    if max_lines is not None and not null and delim is None:
        by_line: dict[int, list[str]] = {}
        for item, line in items:
            by_line.setdefault(line, []).append(item)
        lines_list = list(by_line.values())
        for i in range(0, len(lines_list), max_lines):
            groups.append([a for group in lines_list[i:i + max_lines] for a in group])
    elif max_args is not None:
        words = [item for item, _ in items]
        groups = [words[i:i + max_args] for i in range(0, len(words), max_args)]
    else:
        groups = [[item for item, _ in items]] if items else []
    if not groups and not no_empty and quote_error is None:
        groups = [[]]
    for group in groups:
        status = max(status, run(base + group, verbose))
        if status in (124, 125, 126, 127):
            return status
    if quote_error is not None:
        sys.stderr.write(f"{PROG}: {quote_error}\n")
        return 1
    return status


def quoted_prefix(data: str) -> int:
    """How much of `data` holds whole items before the unmatched quote."""
    for end in range(len(data), -1, -1):
        try:
            blank_items(data[:end])
        except QuoteError:
            continue
        cut = max(data.rfind(" ", 0, end), data.rfind("\n", 0, end), data.rfind("\t", 0, end))
        return max(cut, 0)
    return 0


def first_operand(argv: list[str]) -> int:
    """Options end at the command: the first word that is not an option or its value."""
    takes = set("adILns")
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            return i
        if not a.startswith("-") or a == "-":
            return i
        if a.startswith("--"):
            if "=" not in a and a[2:] in ("arg-file", "delimiter", "max-lines", "max-args",
                                          "max-chars"):
                i += 1
            i += 1
            continue
        j = 1
        while j < len(a):
            if a[j] in takes:
                if j == len(a) - 1:
                    i += 1
                break
            j += 1
        i += 1
    return i


def main(argv: list[str]) -> int:
    try:
        return command(argv)
    except UsageError as e:
        return usage_error(str(e))
    except BrokenPipeError:
        return 141
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
