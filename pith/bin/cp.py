"""cp: copy files and directories (-r/-R recursive, -p preserve mode and times, -a, -f, -n,
-v, -P/-L/-d for symlinks, -T, -t DIR). Data is copied with read/write (no sendfile).

Without -r a symlink operand is followed; with -r (or -P/-d/-a) links are copied as links.
"""

import errno
import os
import stat
import sys

from pith.lib.gnu import UsageError, broken_pipe, options, strerror
from pith.lib.gnu import usage_error as _usage_error

PROG = "cp"
HELP = """Usage: cp [OPTION]... [-T] SOURCE DEST
  or:  cp [OPTION]... SOURCE... DIRECTORY
  or:  cp [OPTION]... -t DIRECTORY SOURCE...
Copy SOURCE to DEST, or multiple SOURCE(s) to DIRECTORY.

  -a, --archive                same as -dR --preserve=all
  -d                           same as --no-dereference --preserve=links
  -f, --force                  if an existing destination file cannot be
                                 opened, remove it and try again
  -L, --dereference            always follow symbolic links in SOURCE
  -n, --no-clobber             do not overwrite an existing file
  -P, --no-dereference         never follow symbolic links in SOURCE
  -p                           same as --preserve=mode,ownership,timestamps
  -R, -r, --recursive          copy directories recursively
  -t, --target-directory=DIRECTORY  copy all SOURCE arguments into DIRECTORY
  -T, --no-target-directory    treat DEST as a normal file
  -v, --verbose                explain what is being done
      --help     display this help and exit
"""
LONG = ["archive", "force", "dereference", "no-clobber", "no-dereference", "preserve",
        "recursive", "target-directory=", "no-target-directory", "verbose", "help"]


def usage_error(message: str, status: int = 1) -> int:
    return _usage_error(PROG, message, status)


class Copier:
    def __init__(self, flags: set[str]) -> None:
        has = flags.__contains__
        self.recursive = any(map(has, ("-r", "-R", "--recursive", "-a", "--archive")))
        self.preserve = any(map(has, ("-p", "-a", "--archive", "--preserve")))
        self.links = any(map(has, ("-P", "--no-dereference", "-d", "-a", "--archive")))
        self.links = (self.links or self.recursive) and not has("-L") and not has("--dereference")
        self.force = any(map(has, ("-f", "--force")))
        self.no_clobber = any(map(has, ("-n", "--no-clobber")))
        self.verbose = any(map(has, ("-v", "--verbose")))
        self.ok = True

    def fail(self, message: str) -> None:
        sys.stderr.write(f"{PROG}: {message}\n")
        self.ok = False

    def copy(self, src: str, dst: str) -> None:
        try:
            st = os.lstat(src) if self.links else os.stat(src)
        except OSError as e:
            self.fail(f"cannot stat '{src}': {strerror(e)}")
            return
        try:
            dst_st: os.stat_result | None = os.stat(dst)
        except OSError:
            dst_st = None
        if dst_st and (dst_st.st_dev, dst_st.st_ino) == (st.st_dev, st.st_ino):
            self.fail(f"'{src}' and '{dst}' are the same file")
            return
        if stat.S_ISDIR(st.st_mode):
            self.copy_dir(src, dst, st, dst_st)
            return
        if dst_st is not None and self.no_clobber:
            return
        if dst_st is not None and stat.S_ISDIR(dst_st.st_mode):
            self.fail(f"cannot overwrite directory '{dst}' with non-directory")
            return
        try:
            if stat.S_ISLNK(st.st_mode):
                self.copy_link(src, dst)
            else:
                self.copy_file(src, dst, st)
            self.after(src, dst, st)
        except OSError as e:
            self.fail(f"cannot create regular file '{dst}': {strerror(e)}")

    def copy_dir(self, src: str, dst: str, st: os.stat_result,
                 dst_st: os.stat_result | None) -> None:
        if not self.recursive:
            self.fail(f"-r not specified; omitting directory '{src}'")
            return
        if dst_st is not None and not stat.S_ISDIR(dst_st.st_mode):
            self.fail(f"cannot overwrite non-directory '{dst}' with directory '{src}'")
            return
        real_src = os.path.realpath(src).rstrip("/") + "/"
        if os.path.realpath(dst).startswith(real_src):
            self.fail(f"cannot copy a directory, '{src}', into itself, '{dst}'")
            return
        try:
            if dst_st is None:
                os.mkdir(dst, stat.S_IMODE(st.st_mode) | 0o700)
                if self.verbose:
                    sys.stdout.write(f"'{src}' -> '{dst}'\n")
            names = sorted(os.listdir(src))
        except OSError as e:
            self.fail(f"cannot create directory '{dst}': {strerror(e)}")
            return
        for name in names:
            self.copy(os.path.join(src, name), os.path.join(dst, name))
        if dst_st is None or self.preserve:
            self.set_mode(dst, stat.S_IMODE(st.st_mode) if self.preserve or dst_st is None
                          else None)
        if self.preserve:
            self.set_times(dst, st)

    def copy_link(self, src: str, dst: str) -> None:
        target = os.readlink(src)
        if os.path.lexists(dst):
            os.unlink(dst)
        os.symlink(target, dst)

    def copy_file(self, src: str, dst: str, st: os.stat_result) -> None:
        fin = os.open(src, os.O_RDONLY)
        try:
            flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
            try:
                fout = os.open(dst, flags, stat.S_IMODE(st.st_mode))
            except OSError:
                if not self.force or not os.path.lexists(dst):
                    raise
                os.unlink(dst)
                fout = os.open(dst, flags, stat.S_IMODE(st.st_mode))
            try:
                while chunk := os.read(fin, 1 << 16):
                    view = memoryview(chunk)
                    while view:
                        view = view[os.write(fout, view):]
            finally:
                os.close(fout)
        finally:
            os.close(fin)

    def after(self, src: str, dst: str, st: os.stat_result) -> None:
        if self.preserve and not stat.S_ISLNK(st.st_mode):
            self.set_mode(dst, stat.S_IMODE(st.st_mode))
            self.set_times(dst, st)
        if self.verbose:
            sys.stdout.write(f"'{src}' -> '{dst}'\n")

    def set_mode(self, path: str, mode: int | None) -> None:
        if mode is None:
            return
        try:
            os.chmod(path, mode)
        except OSError as e:
            if e.errno != errno.ENOSYS:
                self.fail(f"preserving permissions for '{path}': {strerror(e)}")

    def set_times(self, path: str, st: os.stat_result) -> None:
        try:
            os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
        except OSError as e:
            if e.errno != errno.ENOSYS:
                self.fail(f"preserving times for '{path}': {strerror(e)}")


def targets(args: list[str], target: str | None, no_target: bool) -> list[tuple[str, str]]:
    """(source, destination) pairs for the operands, as GNU cp/mv/ln decide them."""
    if target is None and no_target:
        if len(args) > 2:
            raise UsageError(f"extra operand '{args[2]}'")
        if len(args) < 2:
            raise UsageError(f"missing destination file operand after '{args[0]}'"
                             if args else "missing file operand")
        return [(args[0], args[1])]
    if target is None:
        if not args:
            raise UsageError("missing file operand")
        if len(args) == 1:
            raise UsageError(f"missing destination file operand after '{args[0]}'")
        *args, target = args
        if len(args) == 1 and not os.path.isdir(target):
            return [(args[0], target)]
    if not os.path.isdir(target):
        raise OSError(errno.ENOTDIR, f"target '{target}' is not a directory")
    return [(src, os.path.join(target, os.path.basename(src.rstrip("/")) or src))
            for src in args]


def command(argv: list[str]) -> int:
    opts, args = options(argv, "adfLnPpRrt:Tv", LONG)
    flags = {o for o, _ in opts}
    if "--help" in flags:
        sys.stdout.write(HELP)
        return 0
    target = next((v for o, v in opts if o in ("-t", "--target-directory")), None)
    try:
        pairs = targets(args, target, bool(flags & {"-T", "--no-target-directory"}))
    except OSError as e:
        sys.stderr.write(f"{PROG}: {e.strerror}\n")
        return 1
    copier = Copier(flags)
    for src, dst in pairs:
        copier.copy(src, dst)
    sys.stdout.flush()
    return 0 if copier.ok else 1


def main(argv: list[str]) -> int:
    try:
        return command(argv)
    except UsageError as e:
        return usage_error(str(e))
    except BrokenPipeError:
        return broken_pipe()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
