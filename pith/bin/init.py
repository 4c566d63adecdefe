"""init: the first user process (pid of its own, started by pm for rs).

It opens the console as its standard input, output (/dev/tty) and error
(/dev/console), starts the shell on it — `sh -c LINE` for `init -c LINE`
(`pith boot --command LINE`), an interactive `sh` otherwise — and reaps: every
process whose parent died is handed to init by pm, and init waits for them so
none stays a zombie. When the shell ends, init ends with the shell's status,
and rs shuts the system down.
"""

import os
import signal
import sys

SHELL = "/boot/bin/sh.py"  # the system's own shell, whatever the disk's /bin holds
ENV = {"PATH": "/bin:/boot/bin", "HOME": "/", "PWD": "/", "TMPDIR": "/tmp",
       "SHELL": "/bin/sh", "USER": "root", "LOGNAME": "root", "TERM": "xterm"}


def console() -> None:
    """Open fds 0, 1, 2 on the console, unless they are already open."""
    for fd, path, flags in ((0, "/dev/tty", os.O_RDONLY), (1, "/dev/tty", os.O_WRONLY),
                            (2, "/dev/console", os.O_WRONLY)):
        try:
            os.fstat(fd)
        except OSError:
            opened = os.open(path, flags)
            if opened != fd:
                os.dup2(opened, fd)
                os.close(opened)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--help"]:
        print("Usage: init [-c LINE]\nThe first process: runs the shell on the console,"
              " reaps orphans.")
        return 0
    console()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # ^C is for the shell's jobs, not for init
    if os.isatty(0):  # the console's ^C goes to init's group (the shell's jobs may take it)
        os.tcsetpgrp(0, os.getpgrp())
    env = {**ENV, **{k: v for k, v in os.environ.items() if k not in ENV}}
    shell = os.posix_spawn(sys.executable, [sys.executable, SHELL, *argv], env)
    while True:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            return 0
        if pid == shell:
            code = os.waitstatus_to_exitcode(status)
            return code if code >= 0 else 128 - code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
