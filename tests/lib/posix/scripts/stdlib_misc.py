# ruff: noqa: E501, UP017  (an ordinary script, as people write them)
"""Everyday stdlib: collections, itertools, functools, dataclasses, enum, random seed, shlex, fnmatch, glob, datetime."""
import collections
import dataclasses
import datetime
import enum
import fnmatch
import functools
import glob
import itertools
import os
import random
import shlex

c = collections.Counter("mississippi")
print(c.most_common(3), collections.OrderedDict(a=1, b=2), collections.deque(range(5), maxlen=3))
d = collections.defaultdict(list)
for k, v in [("a", 1), ("b", 2), ("a", 3)]:
    d[k].append(v)
print(dict(d), collections.namedtuple("P", "x y")(1, 2), collections.ChainMap({"a": 1}, {"a": 2, "b": 3})["b"])
print(list(itertools.permutations("abc", 2))[:4], list(itertools.combinations(range(4), 3)))
print(list(itertools.accumulate([1, 2, 3, 4])), list(itertools.chain([1], [2, 3])), list(itertools.islice(itertools.count(10, 5), 3)))
print(functools.reduce(lambda x, y: x * y, range(1, 6)), functools.lru_cache()(lambda n: n * 2)(4))


@dataclasses.dataclass(order=True)
class Item:
    name: str
    price: float = 0.0
    tags: list[str] = dataclasses.field(default_factory=list)


items = sorted([Item("b", 2.0), Item("a", 3.5, ["x"])])
print(items, dataclasses.asdict(items[0]), dataclasses.replace(items[1], price=9))


class Color(enum.Enum):
    RED = 1
    GREEN = 2


class Perm(enum.IntFlag):
    R = 4
    W = 2


print(Color.RED, Color(2).name, list(Color), Perm.R | Perm.W, int(Perm.R | Perm.W))
rng = random.Random(42)
print(rng.randint(1, 100), rng.choice("abcdef"), rng.sample(range(50), 4), round(rng.random(), 6))
random.seed(7)
deck = list(range(10))
random.shuffle(deck)
print(deck, round(random.uniform(1, 2), 6), round(random.gauss(0, 1), 6))
print(shlex.split("cmd --opt 'a b' \"c d\" e\\ f"), shlex.quote("it's"), shlex.join(["a b", "c"]))
names = ["main.py", "test_main.py", "README.md", "data.csv", "x.PY"]
print(fnmatch.filter(names, "*.py"), fnmatch.fnmatch("x.PY", "*.py"), fnmatch.fnmatchcase("x.PY", "*.py"))
for n in names:
    open(n, "w").close()
os.makedirs("pkg/sub")
open("pkg/sub/mod.py", "w").close()
print(sorted(glob.glob("*.py")), sorted(glob.glob("**/*.py", recursive=True)), glob.glob("nothing*"))
print(sorted(glob.iglob("pkg/*")), glob.escape("a[b]"), sorted(glob.glob("[dR]*")))
dt = datetime.datetime(2024, 2, 29, 13, 45, 30, tzinfo=datetime.timezone.utc)
print(dt.isoformat(), dt + datetime.timedelta(days=1, hours=12), dt.strftime("%A %d %B %Y %H:%M"))
print(datetime.date(2024, 1, 1).isocalendar(), datetime.datetime.strptime("2020-05-17", "%Y-%m-%d").weekday())
print(datetime.datetime.fromtimestamp(0, datetime.timezone.utc), datetime.date.fromisoformat("2023-12-25").toordinal())
now = datetime.datetime.now()
print(abs((now - datetime.datetime.now()).total_seconds()) < 5, now.year >= 2024)
