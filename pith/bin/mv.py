"""mv: move (rename) files (-f, -n, -v, -T, -t DIR). Across file systems (EXDEV) the tree is
copied, keeping modes, times and links, and then removed."""

import errno
import os
import stat
import sys

from pith.lib.gnu import UsageError, broken_pipe, options, strerror
from pith.lib.gnu import usage_error as _usage_error

PROG = "mv"
HELP = """Usage: mv [OPTION]... [-T] SOURCE DEST
  or:  mv [OPTION]... SOURCE... DIRECTORY
  or:  mv [OPTION]... -t DIRECTORY SOURCE...
Rename SOURCE to DEST, or move SOURCE(s) to DIRECTORY.

  -f, --force                  do not prompt before overwriting
  -n, --no-clobber             do not overwrite an existing file
  -t, --target-directory=DIRECTORY  move all SOURCE arguments into DIRECTORY
  -T, --no-target-directory    treat DEST as a normal file
  -v, --verbose                explain what is being done
      --help     display this help and exit
"""


def usage_error(message: str, status: int = 1) -> int:
    return _usage_error(PROG, message, status)


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


def copy_tree(src: str, dst: str) -> None:
    """Copy src to dst on another file system: links as links, modes and times kept."""
    st = os.lstat(src)
    if stat.S_ISLNK(st.st_mode):
        os.symlink(os.readlink(src), dst)
        return
    if stat.S_ISDIR(st.st_mode):
        os.mkdir(dst, 0o700)
        for name in sorted(os.listdir(src)):
            copy_tree(os.path.join(src, name), os.path.join(dst, name))
    else:
        fin = os.open(src, os.O_RDONLY)
        fout = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            while chunk := os.read(fin, 1 << 16):
                view = memoryview(chunk)
                while view:
                    view = view[os.write(fout, view):]
        finally:
            os.close(fin)
            os.close(fout)
    for change in (lambda: os.chmod(dst, stat.S_IMODE(st.st_mode)),
                   lambda: os.utime(dst, ns=(st.st_atime_ns, st.st_mtime_ns))):
        try:
            change()
        except OSError as e:
            if e.errno != errno.ENOSYS:
                raise


def remove_tree(path: str) -> None:
    if os.path.isdir(path) and not os.path.islink(path):
        for name in os.listdir(path):
            remove_tree(os.path.join(path, name))
        os.rmdir(path)
    else:
        os.unlink(path)


def move(src: str, dst: str, no_clobber: bool, verbose: bool) -> bool:
    try:
        st = os.lstat(src)
    except OSError as e:
        sys.stderr.write(f"{PROG}: cannot stat '{src}': {strerror(e)}\n")
        return False
    if os.path.lexists(dst):
        if no_clobber:
            return True
        dst_st = os.lstat(dst)
        if (dst_st.st_dev, dst_st.st_ino) == (st.st_dev, st.st_ino):
            sys.stderr.write(f"{PROG}: '{src}' and '{dst}' are the same file\n")
            return False
        if stat.S_ISDIR(dst_st.st_mode) and not stat.S_ISDIR(st.st_mode):
            sys.stderr.write(f"{PROG}: cannot overwrite directory '{dst}' with non-directory\n")
            return False
    if stat.S_ISDIR(st.st_mode):
        real_src = os.path.realpath(src).rstrip("/") + "/"
        if (os.path.realpath(dst) + "/").startswith(real_src):
            sys.stderr.write(f"{PROG}: cannot move '{src}' to a subdirectory of itself, "
                             f"'{dst}'\n")
            return False
    try:
        try:
            os.rename(src, dst)
        except OSError as e:
            if e.errno != errno.EXDEV:
                raise
            if os.path.lexists(dst):
                remove_tree(dst)
            copy_tree(src, dst)
            remove_tree(src)
    except OSError as e:
        sys.stderr.write(f"{PROG}: cannot move '{src}' to '{dst}': {strerror(e)}\n")
        return False
    if verbose:
        sys.stdout.write(f"renamed '{src}' -> '{dst}'\n")
    return True


def command(argv: list[str]) -> int:
    opts, args = options(argv, "fint:Tv", ["force", "interactive", "no-clobber",
                                           "target-directory=", "no-target-directory",
                                           "verbose", "help"])
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
    no_clobber = bool(flags & {"-n", "--no-clobber"})
    verbose = bool(flags & {"-v", "--verbose"})
    ok = all([move(src, dst, no_clobber, verbose) for src, dst in pairs])
    sys.stdout.flush()
    return 0 if ok else 1


def main(argv: list[str]) -> int:
    try:
        return command(argv)
    except UsageError as e:
        return usage_error(str(e))
    except BrokenPipeError:
        return broken_pipe()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
