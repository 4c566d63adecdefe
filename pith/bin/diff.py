"""diff: compare files line by line, as GNU diff does (normal and unified output).

Options: -u / -U N (unified, N lines of context), -q (only say whether they differ), -s (say
when they are the same), -i (ignore case), -b / -w (ignore changes in / all white space),
-a (text). A file may be '-' for standard input. The edit script is a shortest one (Myers'
algorithm). Exit status 0 when the files are the same, 1 when they differ, 2 on trouble.
Directories are not compared (exit status 2).
"""

import os
import re
import sys
import time
from collections.abc import Callable

from pith.lib.gnu import UsageError, broken_pipe, options, strerror, usage_error

PROG = "diff"
HELP = """Usage: diff [OPTION]... FILES
Compare FILES line by line.

  -q, --brief                   report only when files differ
  -s, --report-identical-files  report when two files are the same
  -u, -U NUM, --unified[=NUM]   output NUM (default 3) lines of unified context
  -i, --ignore-case             ignore case differences in file contents
  -b, --ignore-space-change     ignore changes in the amount of white space
  -w, --ignore-all-space        ignore all white space
  -a, --text                    treat all files as text
      --help                    display this help and exit

FILES are 'FILE1 FILE2'.  If a FILE is '-', read standard input.
Exit status is 0 if inputs are the same, 1 if different, 2 if trouble.
"""
LONG = ["brief", "report-identical-files", "unified=", "ignore-case", "ignore-space-change",
        "ignore-all-space", "text", "help"]
Hunk = tuple[int, int, int, int]  # a[a1:a2] replaced by b[b1:b2]


def read(name: str) -> bytes:
    if name == "-":
        return sys.stdin.buffer.read()
    if os.path.isdir(name):
        raise IsADirectoryError(21, "Is a directory", name)
    with open(name, "rb") as f:
        return f.read()


def lines_of(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


def shortest(a: list[bytes], b: list[bytes]) -> list[Hunk]:
    """Myers' O(ND) shortest edit script, as the hunks of lines that differ."""
    n, m = len(a), len(b)
    front: dict[int, int] = {1: 0}
    trace: list[dict[int, int]] = []
    for d in range(n + m + 1):
        trace.append(dict(front))
        for k in range(-d, d + 1, 2):
            if k == -d or (k != d and front.get(k - 1, -1) < front.get(k + 1, -1)):
                x = front.get(k + 1, 0)
            else:
                x = front.get(k - 1, 0) + 1
            y = x - k
            while x < n and y < m and a[x] == b[y]:
                x, y = x + 1, y + 1
            front[k] = x
            if x >= n and y >= m:
                return hunks(backtrack(trace, n, m, d), n, m)
    return []


def backtrack(trace: list[dict[int, int]], n: int, m: int, d: int) -> list[tuple[int, int]]:
    """The matched (x, y) line pairs of the path found at distance d."""
    pairs: list[tuple[int, int]] = []
    x, y = n, m
    for depth in range(d, 0, -1):
        v = trace[depth]  # the frontier after depth-1 edits
        k = x - y
        down = k == -depth or (k != depth and v.get(k - 1, -1) < v.get(k + 1, -1))
        pk = k + 1 if down else k - 1
        px = v[pk]
        py = px - pk
        sx, sy = (px, py + 1) if down else (px + 1, py)  # where this edit's snake starts
        while x > sx and y > sy:
            x, y = x - 1, y - 1
            pairs.append((x, y))
        x, y = px, py
    while x > 0 and y > 0:
        x, y = x - 1, y - 1
        pairs.append((x, y))
    pairs.reverse()
    return pairs


def hunks(pairs: list[tuple[int, int]], n: int, m: int) -> list[Hunk]:
    out: list[Hunk] = []
    x = y = 0
    for px, py in [*pairs, (n, m)]:
        if px > x or py > y:
            out.append((x, px, y, py))
        x, y = px + 1, py + 1
    return out


def span(start: int, end: int) -> str:
    """Normal format's range of lines start+1..end (1-based)."""
    return str(end) if end - start <= 1 else f"{start + 1},{end}"


def body(out: list[bytes], prefix: bytes, line: bytes) -> None:
    out.append(prefix + line.rstrip(b"\n") + b"\n")
    if not line.endswith(b"\n"):
        out.append(b"\\ No newline at end of file\n")


def normal(a: list[bytes], b: list[bytes], script: list[Hunk]) -> list[bytes]:
    out: list[bytes] = []
    for a1, a2, b1, b2 in script:
        if a1 == a2:
            out.append(f"{a1}a{span(b1, b2)}\n".encode())
        elif b1 == b2:
            out.append(f"{span(a1, a2)}d{b1}\n".encode())
        else:
            out.append(f"{span(a1, a2)}c{span(b1, b2)}\n".encode())
        for line in a[a1:a2]:
            body(out, b"< ", line)
        if a1 != a2 and b1 != b2:
            out.append(b"---\n")
        for line in b[b1:b2]:
            body(out, b"> ", line)
    return out


def stamp(name: str) -> str:
    if name == "-":
        now = time.time_ns()
        t, ns = now / 1e9, now % 1_000_000_000
    else:
        st = os.stat(name)
        t, ns = st.st_mtime, st.st_mtime_ns % 1_000_000_000
    lt = time.localtime(t)
    return time.strftime("%Y-%m-%d %H:%M:%S", lt) + f".{ns:09d} " + time.strftime("%z", lt)


def urange(start: int, length: int) -> str:
    if length == 0:
        return f"{start},0"
    return f"{start + 1}" if length == 1 else f"{start + 1},{length}"


def unified(a: list[bytes], b: list[bytes], script: list[Hunk], context: int,
            names: tuple[str, str]) -> list[bytes]:
    out = [f"--- {names[0]}\t{stamp(names[0])}\n".encode(),
           f"+++ {names[1]}\t{stamp(names[1])}\n".encode()]
    groups: list[list[Hunk]] = []
    for h in script:
        if groups and h[0] - groups[-1][-1][1] <= 2 * context:
            groups[-1].append(h)
        else:
            groups.append([h])
    for group in groups:
        a_lo = max(0, group[0][0] - context)
        a_hi = min(len(a), group[-1][1] + context)
        b_lo = group[0][2] - (group[0][0] - a_lo)
        b_hi = group[-1][3] + (a_hi - group[-1][1])
        out.append(f"@@ -{urange(a_lo, a_hi - a_lo)} +{urange(b_lo, b_hi - b_lo)} @@\n"
                   .encode())
        x = a_lo
        for a1, a2, b1, b2 in group:
            for line in a[x:a1]:
                body(out, b" ", line)
            for line in a[a1:a2]:
                body(out, b"-", line)
            for line in b[b1:b2]:
                body(out, b"+", line)
            x = a2
        for line in a[x:a_hi]:
            body(out, b" ", line)
    return out


def command(argv: list[str]) -> int:
    opts, args = options(argv, "qsuU:ibwa", LONG)
    brief = same = icase = space = allspace = False
    context: int | None = None
    for o, v in opts:
        if o == "--help":
            sys.stdout.write(HELP)
            return 0
        if o in ("-q", "--brief"):
            brief = True
        elif o in ("-s", "--report-identical-files"):
            same = True
        elif o == "-u":
            context = 3
        elif o in ("-U", "--unified"):
            if not v.isdigit():
                raise UsageError(f"invalid context length '{v}'")
            context = int(v)
        elif o in ("-i", "--ignore-case"):
            icase = True
        elif o in ("-b", "--ignore-space-change"):
            space = True
        elif o in ("-w", "--ignore-all-space"):
            allspace = True
    if len(args) < 2:
        raise UsageError(f"missing operand after '{args[0]}'" if args else "missing operand")
    if len(args) > 2:
        raise UsageError(f"extra operand '{args[2]}'")
    datas: list[bytes] = []
    for name in args:
        try:
            datas.append(read(name))
        except OSError as e:
            sys.stderr.write(f"{PROG}: {name}: {strerror(e)}\n")
            return 2
    a, b = lines_of(datas[0]), lines_of(datas[1])
    key: Callable[[bytes], bytes] = lambda s: s  # noqa: E731
    if icase or space or allspace:
        def key(s: bytes) -> bytes:
            if allspace:
                s = re.sub(rb"[ \t\r\f\v]+", b"", s)
            elif space:
                s = re.sub(rb"[ \t\r\f\v]+", b" ", s).replace(b" \n", b"\n")
                s = s[:-1] if s.endswith(b" ") else s
            return s.lower() if icase else s
    ka, kb = [key(s) for s in a], [key(s) for s in b]
    script = shortest(ka, kb) if ka != kb else []
    if not script:
        if same:
            sys.stdout.write(f"Files {args[0]} and {args[1]} are identical\n")
        return 0
    if brief:
        sys.stdout.write(f"Files {args[0]} and {args[1]} differ\n")
        return 1
    out = (unified(a, b, script, context, (args[0], args[1])) if context is not None
           else normal(a, b, script))
    sys.stdout.buffer.write(b"".join(out))
    sys.stdout.flush()
    return 1


def main(argv: list[str]) -> int:
    try:
        return command(argv)
    except UsageError as e:
        return usage_error(PROG, str(e), 2)
    except BrokenPipeError:
        broken_pipe()
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
