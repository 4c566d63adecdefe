"""The posix layer: the runtime inside every Pith user process (docs/posix.md).

pm starts each user process as `pith.lib.posix.run:main`. It installs this
layer — the `os` functions, `open`, `print`/`input` and sys.stdin/stdout/stderr
go to vfs, pm and tty instead of the host — does the spawn's file actions and
runs the program file as `__main__`, so an ordinary Python script runs on Pith
unmodified.

| file | concept |
| --- | --- |
| `errors.py` | a Pith refusal (errno name) as Python's OSError subclass |
| `services.py` | this process's clients of vfs, pm and tty; the EINTR retry |
| `status.py` | os.stat_result / statvfs_result from vfs replies |
| `fds.py` | file descriptors: open, read, write, dup, pipe, isatty … |
| `paths.py` | names: stat, listdir, mkdir, rename, chdir, access … |
| `direntry.py` | os.scandir and its DirEntry |
| `procs.py` | processes: posix_spawn, waitpid, kill, groups, ids, uname |
| `stdio.py` | `open`, `input`, sys.stdin/stdout/stderr on Pith fds |
| `threads.py` | kernel threads for new Python threads; fresh gates for owed ones |
| `importer.py` | `import helper` of a .py file beside the script, from the Pith tree |
| `install.py` | puts all of the above in place of the host's functions |
| `run.py` | `main(ctx)`: the program pm starts; runs a file as `__main__` |
"""
