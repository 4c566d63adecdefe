"""Read stdin line by line with input() and sys.stdin; number, reverse and sort."""
import sys

first = input("")
print("first:", first)
rest = [line.rstrip("\n") for line in sys.stdin]
for n, line in enumerate(reversed(rest), 1):
    print(f"{n:3}: {line[::-1]}")
print(sorted(rest), file=sys.stderr)
try:
    input()
except EOFError:
    print("EOF")
