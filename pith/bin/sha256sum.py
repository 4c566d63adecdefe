"""sha256sum: print or check SHA-256 checksums, as GNU's; `run` is md5sum's too.

Each line is "HASH  NAME" ("HASH *NAME" with -b; "SHA256 (NAME) = HASH" with --tag); a
name with a backslash or a newline is escaped and the line starts with a backslash.
-c FILE checks the lines of FILE (both formats): "NAME: OK", "NAME: FAILED", "NAME: FAILED
open or read", and GNU's warnings on stderr; --quiet, --status, --strict, -w,
--ignore-missing as GNU's. Exit status 0 when every file was read (and checked OK).
"""

import hashlib
import re
import sys
from typing import BinaryIO

from pith.lib.gnu import UsageError, broken_pipe, options, strerror
from pith.lib.gnu import usage_error as _usage_error

__all__ = ["run"]

HELP = """Usage: {prog} [OPTION]... [FILE]...
Print or check {title} ({bits}-bit) checksums.

With no FILE, or when FILE is -, read standard input.

  -b, --binary          read in binary mode
  -c, --check           read checksums from the FILEs and check them
      --tag             create a BSD-style checksum
  -t, --text            read in text mode (default)
  -z, --zero            end each output line with NUL, not newline,
                          and disable file name escaping

The following five options are useful only when verifying checksums:
      --ignore-missing  don't fail or report status for missing files
      --quiet           don't print OK for each successfully verified file
      --status          don't output anything, status code shows success
      --strict          exit non-zero for improperly formatted checksum lines
  -w, --warn            warn about improperly formatted checksum lines

      --help        display this help and exit
"""
LONG = ["binary", "check", "tag", "text", "zero", "ignore-missing", "quiet", "status",
        "strict", "warn", "help"]
CHUNK = 65536


class Checker:
    """-c's options and its counts of failures, across the check files."""

    def __init__(self, prog: str, algorithm: str, flags: set[str]) -> None:
        self.prog, self.algorithm, self.flags = prog, algorithm, flags
        self.title = algorithm.upper()
        self.width = hashlib.new(algorithm).digest_size * 2
        self.line = re.compile(rb"(?:(\\)?([0-9a-fA-F]{%d}) [ *](.*)|(\\)?%s ?\((.*)\) = "
                               rb"([0-9a-fA-F]{%d}))" % (self.width, self.title.encode(),
                                                         self.width))
        self.failed = self.unread = self.bad = 0
        self.any_failed = self.any_bad = False

    def say(self, name: bytes, verdict: str) -> None:
        if "status" not in self.flags and not (verdict == "OK" and "quiet" in self.flags):
            sys.stdout.buffer.write(name + f": {verdict}\n".encode())

    def parse(self, raw: bytes) -> tuple[bytes, bytes, bool] | None:
        """(digest, name, whether the name was escaped) of a checksum line, or None."""
        m = self.line.fullmatch(raw)
        if m is None:
            return None
        escaped, digest, name = (m[1], m[2], m[3]) if m[2] else (m[4], m[6], m[5])
        if escaped:
            name = re.sub(rb"\\(.)", lambda e: b"\n" if e[1] == b"n" else e[1], name)
        return digest.lower(), name, bool(escaped)

    def check_file(self, listing: str) -> bool:
        """Check one file of checksum lines; False if it had no usable line."""
        usable = verified = 0
        for number, raw in enumerate(read_all(open_input(listing)).split(b"\n"), 1):
            if not raw:
                continue
            parsed = self.parse(raw.rstrip(b"\r"))
            if parsed is None:
                self.bad += 1
                if "warn" in self.flags:
                    sys.stderr.write(f"{self.prog}: {listing}: {number}: improperly formatted "
                                     f"{self.title} checksum line\n")
                continue
            usable += 1
            verified += self.verify(*parsed)
        shown = "'standard input'" if listing == "-" else listing
        if not usable:
            sys.stderr.write(f"{self.prog}: {shown}: no properly formatted checksum lines "
                             "found\n")
            return False
        sys.stdout.flush()
        self.warnings()
        if "ignore-missing" in self.flags and not verified:
            sys.stderr.write(f"{self.prog}: {shown}: no file was verified\n")
            return False
        return True

    def verify(self, digest: bytes, name: bytes, was_escaped: bool) -> int:
        """Check one file; 1 if it was read (or tried), 0 if missing and that is fine."""
        text = name.decode("utf-8", "surrogateescape")
        if was_escaped and b"\n" in name:  # as GNU 9.1 says it back: escaped for a newline only
            name = b"\\" + name.replace(b"\\", b"\\\\").replace(b"\n", b"\\n")
        try:
            actual = digest_of(open_input(text), self.algorithm).encode()
        except OSError as e:
            if "ignore-missing" in self.flags and isinstance(e, FileNotFoundError):
                return 0
            sys.stderr.write(f"{self.prog}: {text}: {strerror(e)}\n")
            self.say(name, "FAILED open or read")
            self.unread += 1
            return 1
        ok = actual == digest
        self.failed += not ok
        self.say(name, "OK" if ok else "FAILED")
        return 1

    def warnings(self) -> None:
        """One check file's warnings, said and reset; the failures are remembered."""
        self.any_failed = self.any_failed or bool(self.failed or self.unread)
        self.any_bad = self.any_bad or bool(self.bad)
        counts = self.bad, self.unread, self.failed
        self.bad = self.unread = self.failed = 0
        if "status" in self.flags:
            return
        for count, what in ((counts[0], "line is improperly formatted|lines are improperly "
                             "formatted"),
                            (counts[1], "listed file could not be read|listed files could "
                             "not be read"),
                            (counts[2], "computed checksum did NOT match|computed checksums "
                             "did NOT match")):
            if count:
                one, many = what.split("|")
                sys.stderr.write(f"{self.prog}: WARNING: {count} {one if count == 1 else many}"
                                 "\n")


def open_input(name: str) -> BinaryIO:
    if name == "-":
        return sys.stdin.buffer
    return open(name, "rb")


def read_all(src: BinaryIO) -> bytes:
    try:
        return src.read()
    finally:
        if src is not sys.stdin.buffer:
            src.close()


def digest_of(src: BinaryIO, algorithm: str) -> str:
    h = hashlib.new(algorithm)
    try:
        while chunk := src.read(CHUNK):
            h.update(chunk)
    finally:
        if src is not sys.stdin.buffer:
            src.close()
    return h.hexdigest()


def escaped(name: str, zero: bool) -> tuple[str, str]:
    """The name as printed, and the '\\' that starts a line whose name was escaped."""
    if zero or ("\\" not in name and "\n" not in name):
        return name, ""
    return name.replace("\\", "\\\\").replace("\n", "\\n"), "\\"


def print_sums(prog: str, algorithm: str, names: list[str], binary: bool, tag: bool,
               zero: bool) -> int:
    status = 0
    end = "\0" if zero else "\n"
    for name in names:
        try:
            digest = digest_of(open_input(name), algorithm)
        except OSError as e:
            sys.stderr.write(f"{prog}: {name}: {strerror(e)}\n")
            status = 1
            continue
        shown, mark = escaped(name, zero)
        line = (f"{mark}{algorithm.upper()} ({shown}) = {digest}" if tag
                else f"{mark}{digest} {'*' if binary else ' '}{shown}")
        sys.stdout.buffer.write((line + end).encode("utf-8", "surrogateescape"))
    return status


def command(argv: list[str], algorithm: str, prog: str) -> int:
    opts, args = options(argv, "bctzw", LONG)
    flags = {o.lstrip("-") for o, _ in opts}
    short = {"b": "binary", "c": "check", "t": "text", "z": "zero", "w": "warn"}
    flags = {short.get(f, f) for f in flags}
    if "help" in flags:
        bits = hashlib.new(algorithm).digest_size * 8
        sys.stdout.write(HELP.format(prog=prog, title=algorithm.upper(), bits=bits))
        return 0
    names = args or ["-"]
    if "check" not in flags:
        for only in ("ignore-missing", "quiet", "status", "strict", "warn"):
            if only in flags:
                raise UsageError(f"the --{only} option is meaningful only when verifying "
                                 "checksums")
        status = print_sums(prog, algorithm, names, "binary" in flags, "tag" in flags,
                            "zero" in flags)
        sys.stdout.flush()
        return status
    checker, ok = Checker(prog, algorithm, flags), True
    for name in names:
        try:
            ok = checker.check_file(name) and ok
        except OSError as e:
            sys.stderr.write(f"{prog}: {name}: {strerror(e)}\n")
            ok = False
    sys.stdout.flush()
    bad = checker.any_failed or ("strict" in flags and checker.any_bad)
    return 0 if ok and not bad else 1


def run(argv: list[str], algorithm: str, prog: str) -> int:
    try:
        return command(argv, algorithm, prog)
    except UsageError as e:
        return _usage_error(prog, str(e))
    except BrokenPipeError:
        return broken_pipe()
    except KeyboardInterrupt:
        return 130


def main(argv: list[str]) -> int:
    return run(argv, "sha256", "sha256sum")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
