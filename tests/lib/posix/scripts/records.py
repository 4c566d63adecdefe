# ruff: noqa: SIM115, E501  (an ordinary script: open(...).read() as people write it)
"""json and csv processing: read a csv, summarise it as json, write both back."""
import csv
import json
import sys

with open(sys.argv[1], newline="") as f:
    rows = list(csv.DictReader(f))
by_city = {}
for row in rows:
    city = by_city.setdefault(row["city"], {"people": 0, "total_age": 0})
    city["people"] += 1
    city["total_age"] += int(row["age"])
summary = {c: {**v, "mean_age": round(v["total_age"] / v["people"], 2)} for c, v in sorted(by_city.items())}
with open("summary.json", "w") as f:
    json.dump(summary, f, indent=2, sort_keys=True)
with open("summary.json") as f:
    print(json.load(f) == summary)
with open("out.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["city", "people", "mean_age"])
    for c, v in summary.items():
        w.writerow([c, v["people"], v["mean_age"]])
print(open("out.csv").read(), end="")
json.dump({"rows": len(rows), "cities": list(summary)}, sys.stdout)
print()
