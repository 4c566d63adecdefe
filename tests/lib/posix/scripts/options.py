"""argparse and sys.argv, environment and exit statuses."""
import argparse
import os
import sys

parser = argparse.ArgumentParser(prog="options", description="a demo")
parser.add_argument("--count", type=int, default=1)
parser.add_argument("--shout", action="store_true")
parser.add_argument("words", nargs="*")
args = parser.parse_args()
text = " ".join(args.words) * args.count
print(text.upper() if args.shout else text)
print(os.path.basename(sys.argv[0]), sys.argv[1:], __name__)
print(os.environ.get("GREETING", "no greeting"), os.getenv("NOPE", "default"))
if args.count > 2:
    sys.exit(f"too many: {args.count}")
if args.count == 0:
    raise SystemExit(3)
