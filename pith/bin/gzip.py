"""gzip: compress or expand files, as GNU gzip does; `run` is gunzip's and zcat's too.

FILE becomes FILE.gz (mode and times kept, FILE removed unless -k); -d turns FILE.gz
(.gz -gz .z -z _z, .tgz and .taz to .tar, or -S SUF) back. Options: -c (to standard
output, files kept), -d, -f (overwrite, follow links), -k, -t (test), -q, -v, -n/-N,
-S SUF, -1..-9. No FILE: standard input to standard output. Compression is the standard
library's gzip (the bytes differ from GNU's, the data does not); expansion reads every
member and says of trailing garbage what GNU says. Exit status 0, 1 on an error, 2 on a
warning (a file skipped).
"""

import itertools
import os
import stat
import sys
import zlib
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from pith.lib.gnu import UsageError, broken_pipe, options, stdlib, strerror

gzip = stdlib("gzip")  # not this file, which is gzip too

PROG = "gzip"
HELP = """Usage: gzip [OPTION]... [FILE]...
Compress or uncompress FILEs (by default, compress FILES in-place).

Mandatory arguments to long options are mandatory for short options too.

  -c, --stdout      write on standard output, keep original files unchanged
  -d, --decompress  decompress
  -f, --force       force overwrite of output file and compress links
  -h, --help        give this help
  -k, --keep        keep (don't delete) input files
  -n, --no-name     do not save or restore the original name and timestamp
  -N, --name        save or restore the original name and timestamp
  -q, --quiet       suppress all warnings
  -S, --suffix=SUF  use suffix SUF on compressed files
  -t, --test        test compressed file integrity
  -v, --verbose     verbose mode
  -1, --fast        compress faster
  -9, --best        compress better

With no FILE, or when FILE is -, read standard input.
"""
LONG = ["stdout", "to-stdout", "decompress", "uncompress", "force", "help", "keep", "no-name",
        "name", "quiet", "suffix=", "test", "verbose", "fast", "best"]
SHORT = {"--stdout": "-c", "--to-stdout": "-c", "--decompress": "-d", "--uncompress": "-d",
         "--force": "-f", "--help": "-h", "--keep": "-k", "--no-name": "-n", "--name": "-N",
         "--quiet": "-q", "--suffix": "-S", "--test": "-t", "--verbose": "-v", "--fast": "-1",
         "--best": "-9"}
SUFFIXES = [(".gz", ""), ("-gz", ""), (".z", ""), ("-z", ""), ("_z", ""), (".tgz", ".tar"),
            (".taz", ".tar")]
CHUNK = 65536
OK, ERROR, WARNING = 0, 1, 2


class Problem(Exception):
    """One file could not be done: `prog: message`, and the exit status it makes."""

    def __init__(self, message: str, status: int = ERROR) -> None:
        super().__init__(message)
        self.status = status


class Settings:
    """The options, as one record."""

    def __init__(self, prog: str) -> None:
        self.prog = prog
        self.decompress = self.to_stdout = self.force = self.keep = False
        self.test = self.quiet = self.verbose = False
        self.level = 6
        self.suffix = ".gz"


def chunks(src: BinaryIO) -> Iterator[bytes]:
    while chunk := src.read(CHUNK):
        yield chunk


def expand(src: Iterable[bytes], out: BinaryIO | None, name: str) -> int:
    """Write every gzip member of src (chunks) to out; OK, or WARNING for trailing garbage."""
    d: zlib._Decompress | None = zlib.decompressobj(31)
    pending, first = b"", True
    try:
        for chunk in src:
            data = pending + chunk
            pending = b""
            while data:
                if d is None:
                    if len(data) < 2 and data.strip(b"\0") != b"":
                        pending = data
                        break
                    if data.strip(b"\0") == b"":
                        data = b""
                        break
                    if not data.startswith(b"\x1f\x8b"):
                        return WARNING
                    d = zlib.decompressobj(31)
                if first and len(data) >= 2 and not data.startswith(b"\x1f\x8b"):
                    raise Problem(f"{name}: not in gzip format")
                first = False
                produced = d.decompress(data)
                if out is not None:
                    out.write(produced)
                if d.eof:
                    data, d = d.unused_data, None
                else:
                    data = b""
    except zlib.error:
        raise Problem(f"{name}: invalid compressed data--format violated") from None
    if first:
        raise Problem(f"{name}: not in gzip format")
    if d is not None:
        raise Problem(f"{name}: unexpected end of file")
    return WARNING if pending else OK


def compress(src: BinaryIO, out: BinaryIO, name: str, mtime: int, level: int) -> None:
    with gzip.GzipFile(filename=name, mode="wb", compresslevel=level, fileobj=out,
                       mtime=mtime) as z:
        for chunk in chunks(src):
            z.write(chunk)


def output_name(name: str, s: Settings) -> str:
    if not s.decompress:
        if name.endswith(s.suffix):
            raise Problem(f"{name} already has {s.suffix} suffix -- unchanged", OK)
        return name + s.suffix
    for suffix, replacement in [(s.suffix, ""), *SUFFIXES]:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)] + replacement
    raise Problem(f"{name}: unknown suffix -- ignored", WARNING)


def input_name(name: str, s: Settings) -> str:
    """The file to read: for -d, NAME.gz when NAME itself is missing and has no suffix."""
    if s.decompress and not os.path.lexists(name):
        for suffix in (s.suffix, ".gz"):
            if not name.endswith(suffix) and os.path.lexists(name + suffix):
                return name + suffix
        if not any(name.endswith(sfx) for sfx, _ in SUFFIXES):
            return name + s.suffix
    return name


def ratio(before: int, after: int) -> str:
    if before == 0:
        return "  0.0%"
    return f"{(before - after) * 100 / before:5.1f}%"


def do_file(name: str, s: Settings) -> int:
    name = input_name(name, s)
    try:
        st = os.stat(name) if s.force or s.to_stdout else os.lstat(name)
    except OSError as e:
        raise Problem(f"{name}: {strerror(e)}") from None
    if stat.S_ISDIR(st.st_mode):
        raise Problem(f"{name} is a directory -- ignored", WARNING)
    if stat.S_ISLNK(st.st_mode):
        raise Problem(f"{name}: Too many levels of symbolic links")
    if not stat.S_ISREG(st.st_mode) and not s.to_stdout:
        raise Problem(f"{name} is not a directory or a regular file - ignored", WARNING)
    if s.to_stdout or s.test:
        with open(name, "rb") as src:
            return to_stream(src, name, s, int(st.st_mtime))
    target = output_name(name, s)
    if s.decompress:  # as GNU's: the header is read before the output is looked at
        with open(name, "rb") as src:
            if src.read(2) != b"\x1f\x8b":
                raise Problem(f"{name}: not in gzip format")
    if os.path.lexists(target):
        if not s.force:
            raise Problem(f"{target} already exists;\tnot overwritten", WARNING)
        os.unlink(target)
    status = replace(name, target, st, s)
    if s.verbose:
        after = os.stat(target).st_size
        before, after = (after, st.st_size) if s.decompress else (st.st_size, after)
        sys.stderr.write(f"{name}:\t{ratio(before, after)} -- replaced with {target}\n")
    return status


def replace(name: str, target: str, st: os.stat_result, s: Settings) -> int:
    """Write target from name, with name's mode and times; then remove name (unless -k)."""
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with open(name, "rb") as src, open(fd, "wb") as out:
            if s.decompress:
                status = expand(chunks(src), out, name)
            else:
                compress(src, out, os.path.basename(name), int(st.st_mtime), s.level)
                status = OK
    except BaseException:
        os.unlink(target)
        raise
    os.chmod(target, stat.S_IMODE(st.st_mode))
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))
    if not s.keep:
        os.unlink(name)
    if status == WARNING:
        warn(s, f"{name}: decompression OK, trailing garbage ignored")
    return status


def warn(s: Settings, message: str) -> None:
    if not s.quiet:
        sys.stderr.write(f"{s.prog}: {message}\n")


def to_stream(src: BinaryIO, name: str, s: Settings, mtime: int) -> int:
    out = sys.stdout.buffer
    head = src.read(2) if s.decompress else b""
    data = itertools.chain([head], chunks(src))
    if s.decompress and s.force and not s.test and head != b"\x1f\x8b":
        for chunk in data:  # -f: what is not gzip data is copied, as cat would
            out.write(chunk)
        return OK
    if s.test:
        status = expand(data, None, name)
    elif s.decompress:
        status = expand(data, out, name)
    else:
        compress(src, out, "" if name == "stdin" else os.path.basename(name), mtime, s.level)
        status = OK
    if status == WARNING:
        warn(s, f"{name}: decompression OK, trailing garbage ignored")
    return status


def standard_input(s: Settings) -> int:
    terminal = sys.stdout.isatty() if not s.decompress else sys.stdin.isatty()
    if terminal and not s.force and not s.test:
        verb, way = ("written to", "compression") if not s.decompress else ("read from",
                                                                           "decompression")
        sys.stderr.write(f"{s.prog}: compressed data not {verb} a terminal. Use -f to force "
                         f"{way}.\nFor help, type: {s.prog} -h\n")
        return ERROR
    return to_stream(sys.stdin.buffer, "stdin", s, 0)


def configure(opts: list[tuple[str, str]], s: Settings) -> bool:
    """Apply the options; False if --help was asked for."""
    for o, v in opts:
        o = SHORT.get(o, o)
        if o == "-h":
            sys.stdout.write(HELP)
            return False
        if o in ("-c", "-d", "-f", "-k", "-t", "-q", "-v"):
            attr = {"-c": "to_stdout", "-d": "decompress", "-f": "force", "-k": "keep",
                    "-t": "test", "-q": "quiet", "-v": "verbose"}[o]
            setattr(s, attr, True)
        elif o == "-S":
            if not v:
                raise UsageError("invalid suffix ''")
            s.suffix = v
        elif o[1:].isdigit():
            s.level = int(o[1:])
    if s.test:
        s.decompress = True
    return True


def command(argv: list[str], s: Settings) -> int:
    opts, args = options(argv, "cdfhknNqS:tv123456789", LONG)
    if not configure(opts, s):
        return 0
    status = OK
    for name in args or ["-"]:
        try:
            result = standard_input(s) if name == "-" else do_file(name, s)
        except Problem as p:
            if p.status == ERROR or not s.quiet:
                sys.stdout.flush()
                sys.stderr.write(f"{s.prog}: {p}\n")
            result = p.status
        except OSError as e:
            sys.stderr.write(f"{s.prog}: {name}: {strerror(e)}\n")
            result = ERROR
        status = max(status, result) if result != ERROR and status != ERROR else ERROR
    sys.stdout.flush()
    return status


def run(argv: list[str], prog: str, decompress: bool = False, to_stdout: bool = False) -> int:
    s = Settings(prog)
    s.decompress, s.to_stdout = decompress, to_stdout
    try:
        return command(argv, s)
    except UsageError as e:
        sys.stderr.write(f"{prog}: {e}\nTry `{prog} --help' for more information.\n")
        return ERROR
    except BrokenPipeError:
        broken_pipe()
        return ERROR
    except KeyboardInterrupt:
        return 130


def main(argv: list[str]) -> int:
    return run(argv, PROG)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
