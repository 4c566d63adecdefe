"""The guest half of `pith bench system`: an ordinary Python script that runs inside
Pith (and, for the baseline, on the host). Prints one JSON object of medians (seconds):
  spawn     posix_spawn of a trivial program (true.py) until waitpid has its status
  pipeline  `sh -c "cat F | tr a-z A-Z | sort | wc -l"` over a 1 MiB file
Usage: bench_system.py pith|host|host-python TRUE_PY TMPDIR [SPAWNS] [PIPELINES]
(pith: the pipeline runs in Pith's sh and commands; host: in /bin/sh with the host's;
host-python: Pith's sh and commands, the same Python files, run by Linux.)
"""

import json
import os
import statistics
import sys
import time


def timed(run, times: int) -> float:
    samples = []
    for _ in range(times):
        start = time.perf_counter()
        run()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def spawn_and_wait(argv: list[str]) -> int:
    pid = os.posix_spawn(argv[0], argv, dict(os.environ))
    return os.waitpid(pid, 0)[1]


def main(argv: list[str]) -> int:
    where, true_py, tmp = argv[:3]
    here = os.path.dirname(os.path.abspath(true_py))
    sh = {"pith": [sys.executable, "/boot/bin/sh.py"], "host": ["/bin/sh"],
          "host-python": [sys.executable, os.path.join(here, "sh.py")]}[where]
    if where == "host-python":
        os.environ["PATH"] = here  # (Pith's commands: NAME.py found for NAME)
    spawns = int(argv[3]) if len(argv) > 3 else 20
    pipelines = int(argv[4]) if len(argv) > 4 else 5
    data = os.path.join(tmp, "bench-1mib.txt")
    line = b"the quick brown fox jumps over the lazy dog 0123456789\n"
    with open(data, "wb") as f:
        f.write((line * (2**20 // len(line) + 1))[: 2**20])
    true = [sys.executable, true_py]
    pipeline = [*sh, "-c", f"cat {data} | tr a-z A-Z | sort | wc -l > {data}.out"]
    result = {"spawn": timed(lambda: spawn_and_wait(true), spawns),
              "pipeline": timed(lambda: spawn_and_wait(pipeline), pipelines)}
    with open(f"{data}.out") as f:
        result["pipeline_lines"] = int(f.read())
    os.unlink(data)
    os.unlink(f"{data}.out")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
