"""touch: create files or update their times (-c no create, -a/-m which time, -d DATE,
-t STAMP, -r FILE). Where the file system cannot set times (ENOSYS) the update is skipped."""

import calendar
import errno
import os
import re
import sys
import time

from pith.lib.gnu import UsageError, options, strerror
from pith.lib.gnu import usage_error as _usage_error

PROG = "touch"
HELP = """Usage: touch [OPTION]... FILE...
Update the access and modification times of each FILE to the current time.

A FILE argument that does not exist is created empty, unless -c or -h
is supplied.

  -a                     change only the access time
  -c, --no-create        do not create any files
  -d, --date=STRING      parse STRING and use it instead of current time
                           (@SECONDS, YYYY-MM-DD[ HH:MM[:SS]], now)
  -m                     change only the modification time
  -r, --reference=FILE   use this file's times instead of current time
  -t STAMP               use [[CC]YY]MMDDhhmm[.ss] instead of current time
      --help     display this help and exit
"""
DATE = re.compile(r"(\d{4})-(\d\d)-(\d\d)(?:[ T](\d\d):(\d\d)(?::(\d\d)(?:\.\d+)?)?)?"
                  r"\s*(Z|UTC|[+-]\d\d:?\d\d)?")
STAMP = re.compile(r"(\d{2})?(\d{2})?(\d\d)(\d\d)(\d\d)(\d\d)(?:\.(\d\d))?")


def usage_error(message: str, status: int = 1) -> int:
    return _usage_error(PROG, message, status)


def parse_date(text: str) -> float:
    text = text.strip()
    if text in ("", "now"):
        return time.time()
    if text.startswith("@"):
        return float(text[1:])
    m = DATE.fullmatch(text)
    if not m:
        raise UsageError(f"invalid date format '{text}'")
    y, mo, d, h, mi, s, zone = m.groups()
    fields = (int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0), 0, 0, -1)
    if zone is None:
        return time.mktime(fields)
    offset = 0 if zone in ("Z", "UTC") else int(zone[0] + "1") * (
        int(zone[1:3]) * 3600 + int(zone[-2:]) * 60)
    return calendar.timegm(fields) - offset


def parse_stamp(text: str) -> float:
    m = STAMP.fullmatch(text)
    if not m:
        raise UsageError(f"invalid date format '{text}'")
    cc, yy, mo, d, h, mi, s = m.groups()
    if cc is not None and yy is None:
        cc, yy = None, cc
    year = time.localtime().tm_year if yy is None else (
        int(cc) * 100 + int(yy) if cc else (1900 if int(yy) >= 69 else 2000) + int(yy))
    return time.mktime((year, int(mo), int(d), int(h), int(mi), int(s or 0), 0, 0, -1))


def touch(name: str, times: tuple[float, float] | None, which: str, create: bool) -> bool:
    try:
        if create and not os.path.lexists(name):
            os.close(os.open(name, os.O_WRONLY | os.O_CREAT, 0o666))
        elif not os.path.lexists(name):
            return True
        if times is None and which == "am":
            os.utime(name)
            return True
        now = time.time()
        atime, mtime = times or (now, now)
        st = os.stat(name)
        os.utime(name, (atime if "a" in which else st.st_atime,
                        mtime if "m" in which else st.st_mtime))
        return True
    except OSError as e:
        if e.errno == errno.ENOSYS:
            return True
        verb = "setting times of" if os.path.lexists(name) else "cannot touch"
        sys.stderr.write(f"{PROG}: {verb} '{name}': {strerror(e)}\n")
        return False


def command(argv: list[str]) -> int:
    opts, args = options(argv, "acd:fhmr:t:", ["no-create", "date=", "reference=",
                                               "no-dereference", "time=", "help"])
    which, create, times = "", True, None
    for o, v in opts:
        if o == "--help":
            sys.stdout.write(HELP)
            return 0
        if o in ("-a", "-m"):
            which += o[1]
        elif o == "--time":
            which += "a" if v in ("access", "atime", "use") else "m"
        elif o in ("-c", "--no-create", "-h", "--no-dereference"):
            create = False
        elif o in ("-d", "--date"):
            t = parse_date(v)
            times = (t, t)
        elif o == "-t":
            t = parse_stamp(v)
            times = (t, t)
        elif o in ("-r", "--reference"):
            try:
                st = os.stat(v)
            except OSError as e:
                sys.stderr.write(f"{PROG}: failed to get attributes of '{v}': {strerror(e)}\n")
                return 1
            times = (st.st_atime, st.st_mtime)
    if not args:
        raise UsageError("missing file operand")
    which = "".join(sorted(set(which))) or "am"
    ok = all([touch(name, times, which, create) for name in args])
    return 0 if ok else 1


def main(argv: list[str]) -> int:
    try:
        return command(argv)
    except UsageError as e:
        return usage_error(str(e))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
