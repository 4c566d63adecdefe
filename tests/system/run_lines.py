"""Runs inside Pith: each shell line of a JSON list (the file named by argv[1]) under
`sh -c`, in a fresh directory, stdin /dev/null; prints one JSON list of
[stdout, status, stderr-not-empty] per line. An ordinary Python script: it uses
only os.posix_spawn, os.waitpid and files, which Pith's posix layer provides."""

import json
import os
import signal
import sys

SH = "/boot/bin/sh.py"
LIMIT = 20  # seconds a line may take


def _timeout(signo: int, frame: object) -> None:
    raise TimeoutError


def run(line: str, n: int) -> list[object]:
    work = f"/tmp/lines/{n}"
    os.makedirs(work)
    out, err = f"/tmp/lines/{n}.out", f"/tmp/lines/{n}.err"
    actions = [(os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0),
               (os.POSIX_SPAWN_OPEN, 1, out, os.O_WRONLY | os.O_CREAT, 0o644),
               (os.POSIX_SPAWN_OPEN, 2, err, os.O_WRONLY | os.O_CREAT, 0o644)]
    env = {**os.environ, "HOME": work, "LC_ALL": "C"}
    os.chdir(work)
    try:
        pid = os.posix_spawn(sys.executable, [sys.executable, SH, "-c", line], env,
                             file_actions=actions)
        signal.alarm(LIMIT)  # a line that hangs is killed, and reported as status 124
        try:
            _, status = os.waitpid(pid, 0)
        except TimeoutError:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            status = 124 << 8
        signal.alarm(0)
    finally:
        os.chdir("/")
    with open(out, encoding="utf-8", errors="replace") as f:
        stdout = f.read()
    return [stdout, os.waitstatus_to_exitcode(status), os.path.getsize(err) > 0]


def main() -> int:
    signal.signal(signal.SIGALRM, _timeout)
    with open(sys.argv[1]) as f:
        lines = json.load(f)
    results = [run(line, n) for n, line in enumerate(lines)]
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
