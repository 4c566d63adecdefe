# ruff: noqa: E501, SIM115  (an ordinary script, as people write them)
"""Data formats and text: json, csv, configparser, struct, decimal, fractions, re, textwrap, difflib."""
import configparser
import csv
import difflib
import json
import pprint
import re
import struct
import textwrap
from decimal import Decimal, getcontext
from fractions import Fraction

data = {"name": "Pith", "tags": ["os", "python"], "n": 3, "ok": True, "none": None, "pi": 3.14}
with open("d.json", "w") as f:
    json.dump(data, f, indent=2, sort_keys=True)
with open("d.json") as f:
    print(json.load(f) == data, open("d.json").read().count("\n"))
print(json.dumps({"é": "ü", "list": [1, 2]}), json.dumps({"é": 1}, ensure_ascii=False))
try:
    json.loads("{bad json}")
except json.JSONDecodeError as e:
    print("JSONDecodeError", e.lineno, e.colno)
rows = [{"id": i, "name": f"n{i}", "note": 'has, "comma"' if i % 2 else ""} for i in range(4)]
with open("r.csv", "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=["id", "name", "note"])
    w.writeheader()
    w.writerows(rows)
with open("r.csv", newline="") as f:
    back = list(csv.DictReader(f))
print(back[1], len(back), repr(open("r.csv", "rb").read()[:30]))
with open("tsv.txt", "w") as f:
    csv.writer(f, delimiter="\t").writerows([["a", "b"], [1, 2]])
print(list(csv.reader(open("tsv.txt"), delimiter="\t")))
cfg = configparser.ConfigParser()
cfg["server"] = {"host": "localhost", "port": "8080"}
cfg["client"] = {"retries": "3", "verbose": "yes"}
with open("app.ini", "w") as f:
    cfg.write(f)
c2 = configparser.ConfigParser()
print(c2.read(["app.ini", "missing.ini"]), c2.sections())
print(c2.getint("server", "port"), c2.getboolean("client", "verbose"), c2.get("client", "x", fallback="fb"))
packed = struct.pack("<IhdQ4s", 1, -2, 2.5, 2**40, b"ab")
print(packed.hex(), struct.unpack("<IhdQ4s", packed), struct.calcsize("<IhdQ4s"))
with open("s.bin", "wb") as f:
    f.write(struct.pack(">3H", 1, 2, 3))
print(struct.unpack(">3H", open("s.bin", "rb").read()))
getcontext().prec = 30
print(Decimal(1) / Decimal(7), Decimal("0.1") + Decimal("0.2"), round(Decimal("2.675"), 2))
print(Fraction(1, 3) + Fraction(1, 6), Fraction("0.75"), Fraction(3.5).limit_denominator())
text = "The quick brown fox jumps over the lazy dog. " * 4
print(textwrap.fill(text, width=40, initial_indent="> ", subsequent_indent="  "))
print(textwrap.shorten(text, 30), repr(textwrap.dedent("   a\n     b\n")))
print(re.findall(r"\b(\w)(\w*)\b", "hello big world"), re.sub(r"(\d+)", lambda m: str(int(m[1]) * 2), "a1b22c"))
m = re.match(r"(?P<key>\w+)=(?P<val>.*)", "color=blue")
print(m.groupdict(), re.split(r"[,;]\s*", "a, b;c"), bool(re.search("X", "abc", re.I)))
a, b = ["one\n", "two\n", "three\n"], ["one\n", "2\n", "three\n", "four\n"]
print("".join(difflib.unified_diff(a, b, "a.txt", "b.txt")), end="")
print(difflib.get_close_matches("appel", ["ape", "apple", "peach"]))
pprint.pprint({"k" + str(i): list(range(i)) for i in range(8)}, width=60)
print(pprint.pformat(data, compact=True, sort_dicts=True))
