"""A real terminal for tests: a tmux session on its own server, driven by keys.

`Terminal.start(command)` runs `command` in a new detached tmux session (its own
socket, so test runs never meet); `keys()` types, `screen()` reads the pane,
`wait_for()` waits until the pane shows some text (polling the pane, bounded),
and `close()` kills the tmux server.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import time
import uuid
from collections.abc import Callable


class Terminal:
    def __init__(self, socket: str) -> None:
        self.socket = socket

    @classmethod
    def start(cls, command: str, cwd: str, env: dict[str, str] | None = None,
              width: int = 120, height: int = 40) -> Terminal:
        term = cls(f"pith-test-{os.getpid()}-{uuid.uuid4().hex[:8]}")
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in (env or {}).items())
        shell_line = f"cd {shlex.quote(cwd)} && {exports} exec {command}".replace("&&  exec",
                                                                                  "&& exec")
        term.tmux("new-session", "-d", "-x", str(width), "-y", str(height), "sh", "-c",
                  shell_line)
        term.tmux("set-option", "-g", "remain-on-exit", "on")
        return term

    def tmux(self, *args: str) -> str:
        done = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True,
                              text=True, timeout=10)
        if done.returncode:
            raise RuntimeError(f"tmux {args[0]}: {done.stderr.strip()}")
        return done.stdout

    def keys(self, *keys: str, literal: bool = False) -> None:
        self.tmux("send-keys", *(("-l",) if literal else ()), *keys)

    def type(self, text: str) -> None:
        """Type `text` as it is, then Enter."""
        self.keys(text, literal=True)
        self.keys("Enter")

    def server_pid(self) -> int:
        """The tmux server's host pid (every process of the session descends from it)."""
        if not hasattr(self, "_server_pid"):
            self._server_pid = int(self.tmux("display-message", "-p", "#{pid}").strip())
        return self._server_pid

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-J", "-S", "-200")

    def dead(self) -> bool:
        return self.tmux("display-message", "-p", "#{pane_dead}").strip() == "1"

    def wait_for(self, check: Callable[[str], bool] | str, timeout: float = 30) -> str:
        """The screen, once `check` (a predicate, or text to find) holds; else fail."""
        test = (lambda s: check in s) if isinstance(check, str) else check
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if test(screen):
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {check!r}; the screen:\n{screen}")
            time.sleep(0.05)  # (a poll interval: tmux has no "screen changed" event)

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True,
                       timeout=10)
