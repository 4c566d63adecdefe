"""Run Python scripts on a booted Pith and on the host, the same way, to compare them.

A case is a script from scripts/ (with the other files it needs), its arguments,
its stdin and environment. On Pith, one boot runs every case: a driver (`python
-c DRIVER`, through init and the shell; the cases as compressed JSON, so that
they fit in one spawn message) writes each case's files under /tmp/NAME,
spawns the script there with `os.posix_spawn(sys.executable, …)` and file actions
putting stdin, stdout and stderr on files, waits, and prints the results as JSON.
On the host, each case runs with the host's python in a temporary directory.
"""

from __future__ import annotations

import base64
import json
import os
import shlex
import subprocess
import sys
import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tests.kernel.host.conftest import ROOT

SCRIPTS = Path(__file__).parent / "scripts"
MANIFEST = "tests/lib/posix/system.toml"


@dataclass
class Case:
    name: str
    script: str
    args: list[str] = field(default_factory=list)
    stdin: str = ""
    env: dict[str, str] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # more files: name → text
    scripts: list[str] = field(default_factory=list)  # more files from scripts/

    def all_files(self) -> dict[str, str]:
        names = [self.script, *self.scripts]
        return {**{n: (SCRIPTS / n).read_text() for n in names}, **self.files}


@dataclass
class Outcome:
    status: int
    out: str
    err: str


DRIVER = r"""
import base64, json, os, sys, zlib
results = {}
for case in json.loads(zlib.decompress(base64.b64decode(sys.argv[1]))):
    work, io = "/tmp/" + case["name"], "/tmp/io-" + case["name"]
    os.makedirs(work)
    os.makedirs(io)
    for name, text in case["files"].items():
        with open(os.path.join(work, name), "w") as f:
            f.write(text)
    with open(io + "/stdin", "w") as f:
        f.write(case["stdin"])
    os.chdir(work)
    actions = [(os.POSIX_SPAWN_OPEN, 0, io + "/stdin", os.O_RDONLY, 0),
               (os.POSIX_SPAWN_OPEN, 1, io + "/out", os.O_WRONLY | os.O_CREAT, 0o644),
               (os.POSIX_SPAWN_OPEN, 2, io + "/err", os.O_WRONLY | os.O_CREAT, 0o644)]
    env = {"PATH": "/bin:/boot/bin", "TMPDIR": "/tmp", **case["env"]}
    pid = os.posix_spawn(sys.executable, [sys.executable, case["script"], *case["args"]], env,
                         file_actions=actions)
    _, status = os.waitpid(pid, 0)
    results[case["name"]] = {"status": os.waitstatus_to_exitcode(status),
                             "out": open(io + "/out", errors="backslashreplace").read(),
                             "err": open(io + "/err", errors="backslashreplace").read()}
print("RESULTS " + json.dumps(results))
"""


def on_pith(cases: list[Case], timeout: float = 120) -> dict[str, Outcome]:
    """Every case run on one booted Pith; outcomes by name."""
    spec = json.dumps([{**asdict(c), "files": c.all_files()} for c in cases]).encode()
    packed = base64.b64encode(zlib.compress(spec, 9)).decode()  # (one spawn message holds it)
    line = f"python -c {shlex.quote(DRIVER)} {packed}"
    argv = [sys.executable, "-m", "pith", "boot", "--manifest", MANIFEST, "--command", line]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)
    found = [x for x in done.stdout.splitlines() if x.startswith("RESULTS ")]
    assert found, f"status {done.returncode}\n{done.stdout}\n{done.stderr}"
    return {n: Outcome(**r) for n, r in json.loads(found[0][len("RESULTS "):]).items()}


def on_host(case: Case, work: Path) -> Outcome:
    """`case` run by the host's python in directory `work`."""
    work.mkdir(parents=True)
    for name, text in case.all_files().items():
        (work / name).write_text(text)
    env = {"PATH": os.environ["PATH"], "TMPDIR": str(work.parent), **case.env}
    done = subprocess.run([sys.executable, case.script, *case.args], cwd=work, env=env,
                          input=case.stdin, capture_output=True, text=True, timeout=60,
                          errors="backslashreplace")
    return Outcome(done.returncode, done.stdout, done.stderr)
