"""procfs: /proc, a read-only file system whose files are made when they are read.

    /proc/services      one line per service: name, pid, mode, state, restarts, last failure
    /proc/ipc           the kernel's IPC counts since boot: call, send, reply, signal
    /proc/<pid>/status  with pm: Name, State, Pid, PPid, Pgid of each of pm's processes
                        (as Linux's); without: name, pid, kind of each process rs started
    /proc/<pid>/cmdline with pm: its argv, each argument ended by a NUL
    /proc/net/dev, tcp, udp  with inet: interface counters and sockets, in Linux's shapes
                        (net.py)

The facts come from rs (its "rs" endpoint: `uses = ["rs"]`), pm (`uses =
["pm"]`, if it runs) and inet (`uses = ["inet"]`, if it runs), asked afresh at every
lookup and read, so the files are always current. pm and inet are asked with a timeout: pm
may itself be waiting on vfs, which may be waiting on us (EAGAIN, not a deadlock). rs, pm
or inet gone (dead, restarting) is EIO for that request, not the end of procfs. It speaks
the fs protocol like any file system; anything that would change it gets EROFS.
"""

from __future__ import annotations

import stat
from pathlib import PurePosixPath
from typing import Any

import msgspec

from pith.kernel.core.errors import KernelError, Timeout
from pith.lib.server import Caller, Client, Server, ServiceError
from pith.protocols import fs as fp
from pith.protocols import inet as ip
from pith.protocols import pm as pp
from pith.protocols.rs import IpcCounts, Processes, RsReply, Services
from pith.servers.procfs import net

__all__ = ["ProcfsServer"]

SERVICES, IPC = 2, 3  # inode numbers; process <pid> is 16 * pid, its status 16 * pid + 1,
STATUS, CMDLINE = 1, 2  # its cmdline 16 * pid + 2
NET, NET_DEV, NET_TCP, NET_UDP = 4, 5, 6, 7  # /proc/net and its files
NET_FILES = {"dev": NET_DEV, "tcp": NET_TCP, "udp": NET_UDP}
PM_TIMEOUT = 1.0  # seconds
INET_TIMEOUT = 3.0  # seconds (inet may wait ETH_TIMEOUT on eth for the counters)
STATES = {"R": "R (running)", "Z": "Z (zombie)"}
DIR, FILE = stat.S_IFDIR | 0o555, stat.S_IFREG | 0o444


class ProcfsServer(Server):
    requests = fp.FsRequest
    endpoint = "procfs"

    def setup(self) -> None:
        self.rs = Client(self.caps["rs"], RsReply, self.gate_of)
        self.pm = Client(self.caps["pm"], pp.PmReply, self.gate_of) if "pm" in self.caps else None
        self.inet = Client(self.caps["inet"], ip.InetReply, self.gate_of) \
            if "inet" in self.caps else None

    @staticmethod
    def _ask(client: Client, request: msgspec.Struct, timeout: float | None = None) -> Any:
        """`request` of rs, pm or inet; EAGAIN if it takes too long, EIO if it is gone."""
        try:
            return client.call(request, timeout=timeout)
        except Timeout:
            raise ServiceError("EAGAIN", f"no answer to {type(request).__name__} yet; "
                               "try again") from None
        except KernelError as e:
            raise ServiceError("EIO", f"no answer to {type(request).__name__}: {e}") from None

    # --- what there is ------------------------------------------------------------

    def _pids(self) -> dict[int, tuple[list[str], bytes | None]]:
        """The status lines and cmdline (None: rs's) of every process, by pid (pm's, or rs's)."""
        if self.pm is None:
            return {pid: ([f"Name:\t{name}", f"Pid:\t{pid}", f"Kind:\t{kind}"], None)
                    for pid, name, kind in self._ask(self.rs, Processes()).rows}
        rows = self._ask(self.pm, pp.Processes(), PM_TIMEOUT).rows
        return {r.pid: ([f"Name:\t{PurePosixPath(r.argv[0] if r.argv else '?').stem}",
                         f"State:\t{STATES.get(r.state, r.state)}", f"Pid:\t{r.pid}",
                         f"PPid:\t{r.ppid}", f"Pgid:\t{r.pgid}"],
                        "".join(f"{a}\0" for a in r.argv).encode())
                for r in rows}

    def _net_text(self, ino: int) -> str:
        assert self.inet is not None
        if ino == NET_DEV:
            return net.dev(self._ask(self.inet, ip.Interfaces(), INET_TIMEOUT).interfaces)
        rows = self._ask(self.inet, ip.Connections(), INET_TIMEOUT).connections
        return net.tcp(rows) if ino == NET_TCP else net.udp(rows)

    def _text(self, ino: int) -> bytes:
        if ino in NET_FILES.values() and self.inet is not None:
            return self._net_text(ino).encode()
        if ino == SERVICES:
            rows = self._ask(self.rs, Services()).rows
            lines = ["NAME PID MODE STATE RESTARTS LAST-FAILURE"]
            lines += [f"{r.name} {r.pid} {r.mode} {r.state} {r.restarts} {r.last_failure or '-'}"
                      for r in rows]
        elif ino == IPC:
            lines = [f"{kind} {n}" for kind, n in self._ask(self.rs, IpcCounts()).counts.items()]
        elif ino % 16 == STATUS and ino // 16 in (pids := self._pids()):
            lines = pids[ino // 16][0]
        elif ino % 16 == CMDLINE and (
                cmdline := self._pids().get(ino // 16, ([], None))[1]) is not None:
            return cmdline
        else:
            raise ServiceError("ENOENT", f"no inode {ino} in /proc")
        return ("\n".join(lines) + "\n").encode()

    def _attr(self, ino: int) -> fp.Attr:
        if ino == fp.ROOT or (ino == NET and self.inet is not None) or (
                ino % 16 == 0 and ino // 16 in self._pids()):
            return fp.Attr(ino, DIR, 2, 0, 0, 0, 0, 0, 0)
        return fp.Attr(ino, FILE, 1, 0, 0, len(self._text(ino)), 0, 0, 0)

    def _entries(self, ino: int) -> list[tuple[str, int]]:
        if ino == fp.ROOT:
            pids = [(str(pid), 16 * pid) for pid in sorted(self._pids())]
            nets = [("net", NET)] if self.inet is not None else []
            return [(".", fp.ROOT), ("..", fp.ROOT), ("services", SERVICES), ("ipc", IPC),
                    *nets, *pids]
        self._attr(ino)  # ENOENT for a process gone
        if ino == NET:
            return [(".", NET), ("..", fp.ROOT), *NET_FILES.items()]
        if ino % 16:
            raise ServiceError("ENOTDIR", f"inode {ino} is not a directory")
        files = [("status", ino + STATUS)] + ([("cmdline", ino + CMDLINE)] if self.pm else [])
        return [(".", ino), ("..", fp.ROOT), *files]

    # --- the fs protocol -------------------------------------------------------------------

    def do_lookup(self, r: fp.Lookup, c: Caller) -> fp.Attr:
        for name, ino in self._entries(r.dir):
            if name == r.name:
                return self._attr(ino)
        raise ServiceError("ENOENT", f"no {r.name} in /proc")

    def do_stat(self, r: fp.Stat, c: Caller) -> fp.Attr:
        return self._attr(r.ino)

    def do_read(self, r: fp.Read, c: Caller) -> fp.Data:
        if self._attr(r.ino).mode == DIR:
            raise ServiceError("EISDIR", "a directory")
        if r.offset < 0 or not 0 <= r.size <= fp.MAX_IO:
            raise ServiceError("EINVAL", "bad offset or size")
        return fp.Data(self._text(r.ino)[r.offset:r.offset + r.size])

    def do_readdir(self, r: fp.Readdir, c: Caller) -> fp.Entries:
        return fp.Entries(self._entries(r.ino)[r.start:], False)

    def do_readlink(self, r: fp.Readlink, c: Caller) -> fp.Target:
        raise ServiceError("EINVAL", "no symlinks in /proc")

    def do_statfs(self, r: fp.Statfs, c: Caller) -> fp.FsInfo:
        return fp.FsInfo(1024, 0, 0, 0, 0, 255)

    def do_sync(self, r: fp.Sync, c: Caller) -> fp.Ok:
        return fp.Ok()

    def _read_only(self, r: object, c: Caller) -> fp.Ok:
        raise ServiceError("EROFS", "/proc is read-only")

    do_write = do_truncate = do_set_attr = do_create = do_mkdir = _read_only
    do_symlink = do_link = do_unlink = do_rmdir = do_rename = _read_only
