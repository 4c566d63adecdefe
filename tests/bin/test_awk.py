"""awk (pith/bin/awk.py) against the host's awk (mawk), and a fuzz that it never crashes.

Each row runs /usr/bin/awk and our script with the same argv, stdin and files in a fresh
directory (LC_ALL=C); stdout, exit status and the tree left behind must match. Left out on
purpose, where mawk is not POSIX: integers beyond 2^31 (mawk prints them with %.6g), {n,m}
intervals (mawk 1.3.4-20200120 takes the braces literally), substr before position 1, '**'
(mawk has none), division by zero (mawk gives inf; we stop, as gawk and BWK awk do), NR after
'cmd | getline' (mawk leaves it), newline as a field separator in paragraph mode whatever FS
is (mawk splits by FS alone), and awk with no program (mawk's status is 0).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.bin.gnu_compare import BIN, Case, environment
from tests.bin.test_commands import run_all

TEXT = "alice 30 NYC\nbob 25 LA\ncarol 35 SF\ndave 25 NYC\n"
FILES: dict[str, str | bytes] = {
    "f": TEXT, "g": "x:1\ny:2\n\nz:3\n", "prog.awk": "{ n += $2 }\nEND { print n, NR }\n",
    "para": "a b\nc\n\n\n\nd e\nf\n\n", "lib.awk": "function twice(x) { return 2 * x }\n",
    "nums": "10\n9\n-3\n2.5\n1e3\n0x10\nabc\n\n 7 \n+5\n"}
PROGRAMS = [
    # patterns
    "{ print }", "NR == 2", "/o/", "!/o/", "$2 > 26", "$2 == 25 { print $1 }",
    "/bob/,/carol/", "NR == 1, NR == 2 { print NR \": \" $0 }", "/dave/,/nomatch/",
    "BEGIN { print \"start\" } END { print \"end\", NR }", "END { print $0, NF }",
    "$3 ~ /^N/", "$3 !~ \"Y\"", "NR % 2", "length > 9", "length($1) == 3",
    # fields
    "{ print $NF, $(NF-1), NF }", "{ $2 = \"X\"; print; print NF }", "{ $6 = \"six\"; print }",
    "{ NF = 2; print }", "{ NF = 5; $1 = $1; print }", "BEGIN { OFS = \"-\" } { $1 = $1; print }",
    "BEGIN { OFS = \":\"; ORS = \"|\\n\" } { print $1, $2 }", "{ print $1 $2 }",
    "{ $0 = \"new \" $0; print $1, NF }", "{ print NR, FNR, FILENAME }",
    "{ $3 = \"\"; print; print NF }", "{ i = 1; print $i++, i }",
    # variables, numbers, strings
    "BEGIN { x = 1; x += 2; x -= 1; x *= 5; x /= 4; x %= 2; x ^= 3; print x }",
    "BEGIN { print 1 + 2 * 3, (1 + 2) * 3, 2 ^ 3 ^ 2, -2 ^ 2, 7 % 3, -7 % 3, 10 / 4 }",
    "BEGIN { print 1 \" \" 2, 1 2, 1 + 2 \"3\", \"a\" (1 < 2) }",
    "BEGIN { x = \"3.0\"; y = 3; print (x == y), (x + 0 == y), (\"abc\" < \"abd\") }",
    "{ print ($2 < 30), ($2 < \"30\"), ($1 < \"c\") }",
    "BEGIN { print length(\"hello\"), length(), length(12345) }",
    "BEGIN { print 0.1 + 0.2, 1e6, 1e-5, 100 / 3, 17 / 1, 123456789, -0.5, 1e300 * 10 }",
    "BEGIN { CONVFMT = \"%.2f\"; a = 3.14159; b = a \"\"; print b; OFMT = \"%.3f\"; print a, 2 }",
    "BEGIN { print \"a\\tb\\\\c\\\"d\\/e\\101\\x41\" }",
    "BEGIN { x; print x == 0, x == \"\", length(x) }",
    "BEGIN { print !0, !1, !\"\", !\"a\", - \"3x\", +\"4\" }",
    "BEGIN { a = 5; print a++ + ++a, a--, --a, a }",
    "BEGIN { print 1 == 1.0, \"1\" == 1, \"a\" < \"b\", 2 < 10, \"2\" < \"10\" }",
    "{ print $1 == \"bob\" ? \"yes\" : \"no\" }",
    "BEGIN { print 1 > 2 ? \"a\" : \"b\" }",
    "BEGIN { x = y = 3; print x, y }",
    "{ s = s $1 } END { print s }",
    "{ sum[$3] += $2 } END { for (k in sum) print k, sum[k] | \"sort\" }",
    # arrays
    "BEGIN { a[\"x\"] = 1; a[\"y\"]; print length(a), (\"x\" in a), (\"z\" in a) }",
    "BEGIN { a[1,2] = 3; for (k in a) { split(k, p, SUBSEP); print p[1], p[2] }; "
    "print ((1,2) in a) }",
    "BEGIN { a[1]; a[2]; delete a[1]; print length(a); delete a; print length(a) }",
    "BEGIN { n = split(\"a:b:c\", arr, \":\"); print n, arr[1], arr[3] }",
    "BEGIN { n = split(\"  a  b  \", arr); print n, \"[\" arr[1] \"]\" }",
    "BEGIN { n = split(\"a1b22c\", arr, /[0-9]+/); print n, arr[2], arr[3] }",
    "BEGIN { n = split(\"\", arr); print n, length(arr) }",
    "BEGIN { n = split(\"abc\", arr, \"\"); print n, arr[1], arr[3] }",
    "{ count[$2]++ } END { print count[25], count[30], count[99] + 0 }",
    # control flow
    "BEGIN { for (i = 0; i < 5; i++) { if (i == 3) continue; printf \"%d \", i }; print \"\" }",
    "BEGIN { i = 0; while (1) { if (++i > 3) break }; print i }",
    "BEGIN { i = 5; do { print i } while (i++ < 7) }",
    "NR == 2 { next } { print $1 }", "{ print; exit } END { print \"end\" }",
    "BEGIN { exit 3 } END { print \"end runs\" }", "{ exit NR + 1 }",
    "END { exit } BEGIN { exit 4 }",
    "BEGIN { if (1) if (0) print \"a\"; else print \"b\" }",
    "BEGIN { if (0) print \"a\"\nelse\nprint \"b\" }",
    "BEGIN {\n  for (i = 1;\n       i <= 2;\n       i++)\n    print i\n}",
    # functions
    "function f(a, b) { return a + b } BEGIN { print f(1, 2), f(3) }",
    "function fact(n) { return n <= 1 ? 1 : n * fact(n - 1) } BEGIN { print fact(10) }",
    "function fill(arr, n,  i) { for (i = 1; i <= n; i++) arr[i] = i * i } "
    "BEGIN { fill(sq, 4); print sq[3], length(sq), i }",
    "function g(x) { x = 5 } BEGIN { y = 1; g(y); print y }",
    "function h(a) { a[\"k\"] = \"v\" } BEGIN { h(arr); print arr[\"k\"] }",
    "function noret() { } BEGIN { x = noret(); print \"[\" x \"]\" }",
    # builtins
    "BEGIN { print substr(\"hello\", 2, 3), substr(\"hello\", 3), substr(\"hello\", 2, 100), "
    "substr(\"hello\", 1.5, 2.3) }",
    "BEGIN { print index(\"hello\", \"ll\"), index(\"hello\", \"z\"), toupper(\"aBc\"), "
    "tolower(\"XyZ1\") }",
    "BEGIN { s = \"hello world\"; n = gsub(/o/, \"0\", s); print n, s; sub(/l+/, \"[&]\", s); "
    "print s }",
    "{ gsub(/[aeiou]/, \"\"); print }", "{ n = sub(/[0-9]+/, \"<&&>\"); print n, $0 }",
    "BEGIN { s = \"aaa\"; gsub(/a/, \"\\\\&\", s); print s; t = \"ab\"; gsub(/x*/, \"-\", t); "
    "print t }",
    "BEGIN { print match(\"foobar\", /o+/), RSTART, RLENGTH; print match(\"abc\", /z/), "
    "RSTART, RLENGTH }",
    "BEGIN { print int(3.9), int(-3.9), int(\"12abc\"), sqrt(16), exp(0), log(1), "
    "sin(0), cos(0), atan2(0, -1) }",
    "BEGIN { printf \"%5.2f|%-5d|%05d|%x|%X|%o|%c|%c|%e|%G|%%|%10s|%-3s|%.2s|%i\\n\", "
    "3.14159, 42, 42, 255, 255, 8, 65, \"hello\", 1234.5, 0.0001, \"hi\", \"x\", \"abc\", 7.9 }",
    "BEGIN { printf \"%*d|%-*d|%.*f\\n\", 5, 42, 4, 7, 2, 3.14159 }",
    "BEGIN { x = sprintf(\"%03d-%s\", 7, \"z\"); print x, length(x) }",
    "{ printf \"%-6s %3d\\n\", $1, $2 }",
    "BEGIN { srand(1); x = rand(); print (x >= 0 && x < 1), srand(2) }",
    "BEGIN { print length(\"a\" \"bc\"), length 1 }",
    # regular expressions
    "/^[[:upper:]]/", "/[[:digit:]]+$/", "/^(alice|bob) /", "/a.i/", "$1 ~ /^[^aeiou]+$/",
    "/[]x]/", "/o{2}/ { print \"braces\" }", "$0 ~ \"^c\"", "{ print ($1 ~ \"a.*e\") }",
    "/[a-c][a-c]/", "/e$/", "/^$/", "/(o|a)b/", "/\\./",
    # getline, I/O
    "BEGIN { while ((getline line < \"g\") > 0) n++; print n; close(\"g\"); getline line < \"g\"; "
    "print line }",
    "BEGIN { \"echo hi there\" | getline; print $2; \"echo x\" | getline v; print v }",
    "NR == 1 { getline; print \"after getline:\", $0, NR } NR == 3 { getline x; print x, NR }",
    "BEGIN { print (getline line < \"nonexistent\") }",
    "{ print $1 > \"out\" } END { close(\"out\"); while ((getline l < \"out\") > 0) "
    "print \"r\", l }",
    "{ print $1 >> \"app\" } END { print \"done\" }",
    "{ print $2 | \"sort -n\" } END { close(\"sort -n\"); print \"sorted\" }",
    "BEGIN { system(\"echo from system\"); r = system(\"exit 3\"); print r }",
    "BEGIN { printf \"a\" > \"/dev/stderr\"; print \"b\" > \"/dev/stdout\" }",
    "BEGIN { print \"x\" | \"cat\"; r = close(\"cat\"); print r; print close(\"none\") }",
    "BEGIN { while ((\"echo a; echo b\" | getline l) > 0) print \"got\", l }",
    "BEGIN { getline; print \"first:\", $0 }",
    # errors
    "BEGIN { x = }", "BEGIN { print 1 }}", "{ print $1", "BEGIN { f(1) }", "BEGIN { next }",
    "BEGIN { printf \"%s %s\\n\", \"a\" }", "BEGIN { print substr(\"abc\") }",
    "function f(a) { a[1] = 1 } BEGIN { x = 1; f(x) }", "BEGIN { a[1] = 1; print a }",
    "BEGIN { print \"unterminated }", "BEGIN { return 1 }", "{ print $-1 }",
]
ARGS = [
    ["-F:", "{ print $2 }", "g"], ["-F", ":", "-v", "x=hello", "{ print x, $1 }", "g"],
    ["-F", "[0-9]", "{ print $1 \"|\" $2 }"], ["-F", "\\t", "{ print $2 }"],
    ["-F.", "{ print NF }"], ["-F", "|", "{ print $2 }"],
    ["-f", "prog.awk", "f"], ["-f", "lib.awk", "-f", "prog.awk", "f"],
    ["-f", "nope.awk"], ["-v", "n=5", "BEGIN { print n + 1, n == 5, n == \"5\" }"],
    ["-v", "s=a\\tb", "BEGIN { print s }"], ["{ print v, $1 }", "v=1", "f", "v=2", "g"],
    ["{ print FILENAME, FNR, NR }", "f", "g"], ["END { print NR }", "f", "nope"],
    ["{ nextfile } END { print NR }", "f", "g"], ["FNR == 1 { nextfile } { print }", "f", "g"],
    ["BEGIN { RS = \"\" } { print NR \": \" $1 \"|\" $NF \"|\" NF }", "para"],
    ["BEGIN { RS = \"\"; FS = \" \" } { print NF; for (i = 1; i <= NF; i++) print \"[\" $i \"]\" }",
     "g"],
    ["BEGIN { RS = \":\" } { print NR, $0 }", "g"],
    ["BEGIN { RS = \"[0-9]\\n\" } { print $0 }", "g"],
    ["{ print ($1 == 16), ($1 < 9), $1 + 0 }", "nums"], ["$1", "nums"],
    ["BEGIN { for (i = 0; i < ARGC; i++) print i, ARGV[i] }", "a", "b=c", "-"],
    ["BEGIN { ARGV[1] = \"g\" } { print }", "nope"], ["BEGIN { ARGV[1] = \"\" } { print }", "f"],
    ["BEGIN { print ENVIRON[\"AWKTEST\"] + 1 }"], ["-z", "1"], ["--", "{ print $1 }", "f"],
    ["-v", "1x=2", "BEGIN { }"], ["-F"], ["{ print }", "-"],
]
CASES = ([Case(["--", p], TEXT.encode(), files=FILES) for p in PROGRAMS] +
         [Case(a, TEXT.encode(), files=FILES, env={"AWKTEST": "41"}) for a in ARGS] +
         [Case(["{ print NR, $0 }"], b"no newline at end"), Case(["END { print NR }"], b""),
          Case(["{ print length }"], b"\x80\xff\n\tx\n"), Case(["{ print }"], b"a\r\nb\r\n"),
          Case(["{ print toupper($0) }"], b"caf\xe9\n")])


def test_matches_host_awk() -> None:
    assert len(CASES) >= 80
    problems = run_all("awk", CASES)
    assert not problems, "\n\n".join(problems)


def run_ours(argv: list[str], stdin: bytes, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, str(BIN / "awk.py"), *argv], input=stdin, cwd=cwd,
                          capture_output=True, timeout=60, env=environment({}))


ALPHABET = st.sampled_from([*"{}()[]$;,\n\"/\\+-*%^!<>=~?:|&#. \tab1x0",
                            "BEGIN", "END", "print", "printf", "getline", "function", "in",
                            "if", "else", "while", "for", "delete", "next", "exit", "return",
                            "NF", "$0", "length", "substr(", "split(", "gsub(", "sprintf(",
                            "\"%d\"", "/a*/", "++", "--", "&&", "||", ">>", "**"])
PROGRAM = st.lists(ALPHABET, max_size=30).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(program=PROGRAM, text=st.text(alphabet="ab 1\n:", max_size=20))
def test_no_input_makes_a_traceback(program: str, text: str, tmp_path: Path) -> None:
    """Whatever the program, awk ends with a status and an error message, never a crash."""
    proc = run_ours([program], text.encode(), tmp_path)
    assert b"Traceback" not in proc.stderr, (program, proc.stderr.decode()[-2000:])
    assert proc.returncode >= 0, (program, proc.returncode)  # (not killed by a signal)


@pytest.mark.parametrize("program", [
    "BEGIN { printf \"%d %c %5.1s %e\\n\", \"x\", \"\", 1e400, \"nan\" }",
    "BEGIN { x = 2 ^ 2000; print x, -x, int(x), x - x, log(-1), sqrt(-1), exp(1000) }",
    "function f(n) { return f(n + 1) } BEGIN { f(1) }",
    "BEGIN { s = sprintf(\"%*d\", 99999999999, 1) }", "BEGIN { $100000000 = 1 }",
    "BEGIN { x = \"[\"; print \"a\" ~ x }", "BEGIN { a[1]; a = 1 }", "BEGIN { NF = -1 }",
    "BEGIN { print substr(\"abc\", \"nan\"), substr(\"abc\", 1e300, -1e300) }",
    "BEGIN { getline x < \"/\"; print \"dir\" }", "BEGIN { print > \"/\" }",
    "BEGIN " + "{" * 3000 + "}" * 3000, "BEGIN { x = " + "(" * 3000 + "1" + ")" * 3000 + " }",
])
def test_hostile_programs_end_cleanly(program: str, tmp_path: Path) -> None:
    proc = run_ours([program], b"", tmp_path)
    assert b"Traceback" not in proc.stderr, proc.stderr.decode()[-2000:]
    assert proc.returncode in (0, 2), (proc.returncode, proc.stderr)
