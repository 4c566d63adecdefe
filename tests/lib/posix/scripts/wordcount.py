# ruff: noqa: SIM115  (an ordinary script: open(...).read() as people write it)
"""Count lines, words and characters of the files named (or stdin), like wc, plus top words."""
import collections
import sys


def count(text):
    return len(text.splitlines()), len(text.split()), len(text)


totals = collections.Counter()
names = sys.argv[1:] or ["-"]
for name in names:
    text = sys.stdin.read() if name == "-" else open(name, encoding="utf-8").read()
    lines, words, chars = count(text)
    print(f"{lines:5} {words:5} {chars:6} {name}")
    totals.update(w.lower().strip(".,;:!?") for w in text.split())
for word, n in sorted(totals.most_common(5), key=lambda wn: (-wn[1], wn[0])):
    print(f"{n:3} {word}")
