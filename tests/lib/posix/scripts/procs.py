"""Processes: spawn, wait, pipes between processes, kill, SIGINT deaths, os.system, errors."""
import os
import signal
import sys

PY = sys.executable


def spawn(*args, **kwargs):
    return os.posix_spawn(PY, [PY, "child.py", *args], os.environ, **kwargs)


pid = spawn("exit", "7")
waited, status = os.waitpid(pid, 0)
print(waited == pid, os.WIFEXITED(status), os.WEXITSTATUS(status))

r, w = os.pipe()
pid = spawn("echo", "through", "the", "pipe", file_actions=[(os.POSIX_SPAWN_DUP2, w, 1)])
os.close(w)
data = b""
while chunk := os.read(r, 100):
    data += chunk
os.close(r)
print(data, os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))

stdin_r, stdin_w = os.pipe()
out_r, out_w = os.pipe()
pid = spawn("block", file_actions=[(os.POSIX_SPAWN_DUP2, stdin_r, 0),
                                  (os.POSIX_SPAWN_DUP2, out_w, 1)])
os.close(out_w)
print(os.read(out_r, 100), os.waitpid(pid, os.WNOHANG))
os.kill(pid, signal.SIGTERM)
_, status = os.waitpid(pid, 0)
print(os.WIFSIGNALED(status), os.WTERMSIG(status) == signal.SIGTERM)
for fd in (stdin_r, stdin_w, out_r):
    os.close(fd)

sys.stdout.flush()
pid = spawn("interrupt")
_, status = os.waitpid(pid, 0)
print(os.WIFSIGNALED(status), os.WTERMSIG(status) == signal.SIGINT)

sys.stdout.flush()
print(os.waitstatus_to_exitcode(os.system("echo from the shell; exit 4")))

pid = spawn("threads")
print(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))

for attempt in (lambda: os.waitpid(-1, 0), lambda: os.posix_spawn("/no/such/program", ["x"], {}),
                lambda: os.kill(99999, 0)):
    try:
        attempt()
    except OSError as e:
        print(type(e).__name__, e.errno)
print(os.getpid() > 0, os.getppid() > 0, os.getpgrp() > 0, os.getpgid(0) == os.getpgrp())
