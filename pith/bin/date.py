"""date: print the date and time (GNU's default format in the C locale, or +FORMAT), in UTC
with -u; -d STRING (@SECONDS, YYYY-MM-DD[ HH:MM[:SS]], now), -r FILE, -I[TIMESPEC], -R.
Setting the clock is not supported. Beyond strftime: %N (nanoseconds), %:z, %::z, %-X/%_X/%0X."""

import calendar
import os
import re
import sys
import time

from pith.lib.gnu import UsageError, broken_pipe, options, strerror
from pith.lib.gnu import usage_error as _usage_error

PROG = "date"
HELP = """Usage: date [OPTION]... [+FORMAT]
Display the current time in the given FORMAT.

  -d, --date=STRING          display time described by STRING, not 'now'
  -I[FMT], --iso-8601[=FMT]  output date/time in ISO 8601 format.
                               FMT='date' (default), 'hours', 'minutes', 'seconds', 'ns'
  -R, --rfc-email            output date and time in RFC 5322 format
  -r, --reference=FILE       display the last modification time of FILE
  -u, --utc, --universal     print Coordinated Universal Time (UTC)
      --help     display this help and exit

FORMAT controls the output as in strftime, plus %N nanoseconds and %:z +hh:mm.
"""
DEFAULT = "%a %b %e %H:%M:%S %Z %Y"
DATE = re.compile(r"(\d{4})-(\d\d)-(\d\d)(?:[ T](\d\d):(\d\d)(?::(\d\d)(?:\.(\d+))?)?)?"
                  r"\s*(Z|UTC|[+-]\d\d:?\d\d)?")
ISO = {"date": "%Y-%m-%d", "hours": "%Y-%m-%dT%H%:z", "minutes": "%Y-%m-%dT%H:%M%:z",
       "seconds": "%Y-%m-%dT%H:%M:%S%:z", "ns": "%Y-%m-%dT%H:%M:%S,%N%:z"}
DIRECTIVE = re.compile(r"%([-_0^#]?)(\d*)(:{0,3}[a-zA-Z%+])")


def usage_error(message: str, status: int = 1) -> int:
    return _usage_error(PROG, message, status)


def parse_date(text: str, utc: bool) -> int:
    """Nanoseconds since the epoch that text names."""
    t = text.strip()
    if t in ("", "now"):
        return time.time_ns()
    if t.startswith("@"):
        try:
            return int(float(t[1:]) * 10**9)
        except ValueError:
            pass
    m = DATE.fullmatch(t)
    if not m:
        raise UsageError(f"invalid date '{text}'")
    y, mo, d, h, mi, s, frac, zone = m.groups()
    fields = (int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0), 0, 0, -1)
    nanos = int((frac or "0")[:9].ljust(9, "0"))
    if zone is None and not utc:
        return int(time.mktime(fields)) * 10**9 + nanos
    offset = 0 if zone in (None, "Z", "UTC") else int(zone[0] + "1") * (
        int(zone[1:3]) * 3600 + int(zone[-2:]) * 60)
    return (calendar.timegm(fields) - offset) * 10**9 + nanos


def offset_text(t: time.struct_time, colons: int) -> str:
    off = t.tm_gmtoff or 0
    sign = "-" if off < 0 else "+"
    off = abs(off)
    hh, mm, ss = off // 3600, off % 3600 // 60, off % 60
    if colons == 1:
        return f"{sign}{hh:02d}:{mm:02d}"
    if colons == 2:
        return f"{sign}{hh:02d}:{mm:02d}:{ss:02d}"
    return f"{sign}{hh:02d}" + (f":{mm:02d}" if mm or ss else "")


def render(fmt: str, ns: int, utc: bool) -> str:
    seconds, nanos = divmod(ns, 10**9)
    t = time.gmtime(seconds) if utc else time.localtime(seconds)

    def one(m: re.Match[str]) -> str:
        flag, width, conv = m.groups()
        if conv == "N":
            text = f"{nanos:09d}"
            return text[:int(width)] if width else text
        if conv.startswith(":") and conv.endswith("z"):
            return offset_text(t, conv.count(":"))
        if conv == "Z" and utc:
            text = "UTC"
        elif conv == "s":
            text = str(seconds)
        elif conv == "P":
            text = time.strftime("%p", t).lower()
        else:
            text = time.strftime("%" + conv, t)
        if flag == "-":
            text = text.lstrip("0 ") or "0"
        elif flag == "_":
            text = (text.lstrip("0") or "0").rjust(len(text))
        elif flag == "0":
            text = text.replace(" ", "0")
        elif flag == "^":
            text = text.upper()
        if width:
            pad = "0" if flag != "_" and text[:1].isdigit() and flag != "-" else " "
            text = text.rjust(int(width), pad)
        return text
    return DIRECTIVE.sub(one, fmt)


def command(argv: list[str]) -> int:
    argv = [("--iso-8601=" + a[2:] if a.startswith("-I") and len(a) > 2 else a) for a in argv]
    opts, args = options(argv, "d:IRr:u", ["date=", "iso-8601=", "rfc-email", "reference=",
                                          "utc", "universal", "help"])
    utc = any(o in ("-u", "--utc", "--universal") for o, _ in opts)
    ns, fmt = None, DEFAULT
    for o, v in opts:
        if o == "--help":
            sys.stdout.write(HELP)
            return 0
        if o in ("-d", "--date"):
            ns = parse_date(v, utc)
        elif o in ("-r", "--reference"):
            try:
                ns = os.stat(v).st_mtime_ns
            except OSError as e:
                sys.stderr.write(f"{PROG}: {v}: {strerror(e)}\n")
                return 1
        elif o in ("-I", "--iso-8601"):
            key = v or "date"
            matches = [k for k in ISO if k.startswith(key)]
            if len(matches) != 1:
                raise UsageError(f"invalid argument '{v}' for '--iso-8601'")
            fmt = ISO[matches[0]]
        elif o in ("-R", "--rfc-email"):
            fmt = "%a, %d %b %Y %H:%M:%S %z"
    if args and args[0].startswith("+"):
        fmt = args.pop(0)[1:]
    if args:
        if len(args) == 1 and args[0].isdigit():
            sys.stderr.write(f"{PROG}: cannot set date: Operation not permitted\n")
            return 1
        raise UsageError(f"extra operand '{args[0]}'")
    sys.stdout.write(render(fmt, time.time_ns() if ns is None else ns, utc) + "\n")
    sys.stdout.flush()
    return 0


def main(argv: list[str]) -> int:
    try:
        return command(argv)
    except UsageError as e:
        return usage_error(str(e))
    except BrokenPipeError:
        return broken_pipe()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
