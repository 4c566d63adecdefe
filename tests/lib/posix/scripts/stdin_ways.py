# ruff: noqa: E501, SIM115  (an ordinary script, as people write them)
"""Read stdin the ways people do: iterate, read(), readlines(), buffer, input() to EOF, fileinput."""
import fileinput
import sys

way = sys.argv[1]
if way == "iter":
    for n, line in enumerate(sys.stdin, 1):
        print(n, line.rstrip("\n").upper())
elif way == "read":
    text = sys.stdin.read()
    print(len(text), text.count("\n"), repr(text[:12]))
    print(repr(sys.stdin.read()), "after EOF")
elif way == "readlines":
    print(sys.stdin.readlines()[::-1])
elif way == "buffer":
    data = sys.stdin.buffer.read()
    print(len(data), data[:8].hex(), data.decode("utf-8", "replace").split()[:3])
    sys.stdout.buffer.write(data[::-1] + b"\n")
elif way == "chunks":
    sizes = []
    while chunk := sys.stdin.read(7):
        sizes.append(len(chunk))
    print(sizes, sys.stdin.readline() == "")
elif way == "input":
    lines = []
    while True:
        try:
            lines.append(input())
        except EOFError:
            break
    print(len(lines), lines[-1:], sum(len(x) for x in lines))
elif way == "fileinput":
    for line in fileinput.input(sys.argv[2:]):
        print(fileinput.filename(), fileinput.lineno(), fileinput.filelineno(), line, end="")
print("stdin is a tty:", sys.stdin.isatty(), sys.stdin.encoding, file=sys.stderr)
