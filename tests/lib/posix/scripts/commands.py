"""argparse with subcommands (a small note-keeping tool), parents, mutually exclusive options."""
import argparse
import json
import os
import sys

STORE = "notes.json"


def load():
    return json.load(open(STORE)) if os.path.exists(STORE) else []


def save(notes):
    with open(STORE, "w") as f:
        json.dump(notes, f)


def add(args):
    notes = load()
    notes.append({"text": " ".join(args.text), "tag": args.tag})
    save(notes)
    print(f"added #{len(notes)}")


def show(args):
    notes = [n for n in load() if args.tag in (None, n["tag"])]
    if args.json:
        print(json.dumps(notes))
    for i, n in enumerate(notes, 1):
        print(f"{i}. [{n['tag']}] {n['text']}" if not args.quiet else n["text"])
    return 0 if notes else 4


parser = argparse.ArgumentParser(prog="notes", description="Keep notes.")
parser.add_argument("-v", "--verbose", action="count", default=0)
sub = parser.add_subparsers(dest="command", required=True)
p_add = sub.add_parser("add", help="add a note")
p_add.add_argument("text", nargs="+")
p_add.add_argument("--tag", default="misc", choices=["misc", "work", "home"])
p_add.set_defaults(func=add)
p_show = sub.add_parser("show", aliases=["ls"], help="list notes")
p_show.add_argument("--tag")
group = p_show.add_mutually_exclusive_group()
group.add_argument("--json", action="store_true")
group.add_argument("-q", "--quiet", action="store_true")
p_show.set_defaults(func=show)
args = parser.parse_args()
if args.verbose:
    print("verbose", args.verbose, args.command, file=sys.stderr)
sys.exit(args.func(args))
