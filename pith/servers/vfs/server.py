"""vfs: file descriptors, paths, mounts and pipes for every process (docs/vfs.md).

Each client is known by its badge; `Proc` holds its fd table and cwd. Paths are
resolved here (paths.py), one fs-protocol `Lookup` a component, and requests go to
the file system of the mount that holds the file. Pipes live here (pipes.py);
a read or write that must wait is deferred and answered later. So do /dev (dev.py,
with arg `dev=PATH`) and the console's input (console.py): the tty driver pushes
it (`ConsoleInput`, `ConsoleFlush`), and writes to /dev/tty and /dev/console go
to the tty driver (`Output`, through the "tty" cap).

File data: a process's large reads and writes come through the Memory buffer it shared
(`Share`, `ReadShared`, `WriteShared`), and go to a `shared` file system (mfs) through
vfs's buffer for that mount (shared.py); to the others in fs `Read`s and `Write`s.

Mounts come from args `mount=PATH:CAP` (the cap names a file system's
endpoint in `self.caps`), by default "/" on `mfs` and "/tmp" on `tmpfs`, for
those caps that exist; a test passes `filesystems` (mount path -> client)
instead. Mount points are found (and made, if missing) on first use.
"""

from __future__ import annotations

import contextlib
import stat
from collections.abc import Callable, Mapping

import msgspec

from pith.kernel.core.errors import KernelError, ServerDied
from pith.lib.server import DEFER, Caller, Client, Failure, Server, ServiceError
from pith.lib.syscall import Gate, gate
from pith.protocols import fs
from pith.protocols import tty as tp
from pith.protocols import vfs as vp
from pith.servers.vfs.console import Console
from pith.servers.vfs.dev import CONSOLE, TTY, DevFs
from pith.servers.vfs.fds import MAX_FDS, Description, File, PipeEnd, Proc, Terminal
from pith.servers.vfs.names import NameCache
from pith.servers.vfs.paths import MAX_LINKS, FsClient, Loc, Mount, Mounts, Walk, isdir, islink
from pith.servers.vfs.pipes import CAPACITY, PIPE_BUF, Answers, Pipe, PipeMemory
from pith.servers.vfs.shared import FsData, Shares, read_into, write_from

__all__ = ["DEFAULT_MOUNTS", "VfsServer"]

DEFAULT_MOUNTS = (("/", "mfs"), ("/tmp", "tmpfs"))
NAMES_BUDGET = 32 * 1024  # bytes of names in one Names reply
OUTPUT_CHUNK = 32 * 1024  # bytes of console output in one tty Output request
RETRY_TIMEOUT = 10.0  # seconds a re-issued Output waits for a restarted tty
MAX_OFFSET = 2**63 - 1  # a file offset, as Linux's off_t (past it a reply would not encode)


def status(loc: Loc, attr: fs.Attr) -> vp.Status:
    return vp.Status(loc.mount.dev, attr.ino, attr.mode, attr.nlinks, attr.uid, attr.gid,
                     attr.size, attr.atime, attr.mtime, attr.ctime)


class VfsServer(Server):
    requests = vp.VfsRequest
    endpoint = "vfs"

    def __init__(self, caps: dict[str, int], args: tuple[str, ...] = (),
                 gate_of: Callable[[], Gate] = gate, *,
                 filesystems: Mapping[str, FsClient] | None = None) -> None:
        self.filesystems = filesystems
        super().__init__(caps, args, gate_of)

    def setup(self) -> None:
        self.procs: dict[int, Proc] = {}
        self.pipes: dict[int, Pipe] = {}
        self.pipe_memory = PipeMemory()  # (what all pipes hold, within a limit)
        self.unlinked: dict[tuple[int, int], tuple[Loc, str]] = {}  # (dev, ino) of a file
        # unlinked while open -> the directory and hidden name it has until its last close
        self.next_pipe = 1
        self._mounts: Mounts | None = None
        self.table = mount_table(self.args, self.caps) if self.filesystems is None else []
        self.dev = next((a[4:] for a in self.args if a.startswith("dev=")), None)
        self.console = Console(waiting=self.waiting)
        self.tty = Client(self.caps["tty"], tp.TtyReply, self.gate_of) if "tty" in self.caps \
            else None
        self.kinds: tp.ConsoleKinds | None = None  # which host console fds are terminals
        self.shares = Shares(self.gate_of)  # the data buffers processes shared
        self._kept: set[int] = set()  # slots of caps a request sent that vfs keeps

    def dispatch(self, msg: bytes, caller: Caller) -> bytes | None:
        """The framework's, and then the caps a request carried that vfs did not keep
        (only `Share`'s is kept) are deleted, so no process can fill vfs's CSpace."""
        try:
            return super().dispatch(msg, caller)
        finally:
            for slot in caller.caps:
                if slot not in self._kept:
                    with contextlib.suppress(KernelError):
                        self.gate_of().cap_delete(slot)
            self._kept.clear()

    # -- mounts ------------------------------------------------------------------

    def mount_clients(self) -> dict[str, FsClient]:
        if self.filesystems is not None:
            clients = dict(self.filesystems)
        else:
            clients = {p: Client(self.caps[c], fs.FsReply, self.gate_of) for p, c in self.table}
        return clients | ({self.dev: DevFs()} if self.dev else {})

    @property
    def mounts(self) -> Mounts:
        if self._mounts is None:
            self._mounts = self.mount_all(self.mount_clients())
        return self._mounts

    def mount_all(self, clients: dict[str, FsClient]) -> Mounts:
        if "/" not in clients:
            raise ServiceError("EIO", "no file system on /")
        gate_of = self.gate_of if self.filesystems is None else None  # (a test's: in process)
        mounts = Mounts(cached(Mount("/", clients["/"], 1), gate_of))
        others = sorted((p for p in clients if p != "/"), key=lambda p: p.count("/"))
        for dev, path in enumerate(others, start=2):
            mounts.add(cached(Mount(path, clients[path], dev), gate_of),
                       self.mount_point(mounts, path))
        return mounts

    def mount_point(self, mounts: Mounts, path: str) -> Loc:
        walk = Walk(mounts, Loc(mounts.root, fs.ROOT))
        d, name, _ = walk.parent(path)
        try:
            loc, attr = walk.step(d, name)
        except ServiceError as e:
            if e.error != "ENOENT":
                raise
            attr = d.mount.call(fs.Mkdir(d.ino, name, 0o755))
            loc = Loc(d.mount, attr.ino)
        if not isdir(attr):
            raise ServiceError("ENOTDIR", f"mount point {path} is not a directory")
        return loc

    # -- helpers -------------------------------------------------------------------

    def proc(self, badge: int) -> Proc:
        if badge not in self.procs:
            self.procs[badge] = Proc(Loc(self.mounts.root, fs.ROOT))
        return self.procs[badge]

    def walk(self, caller: Caller) -> Walk:
        return Walk(self.mounts, self.proc(caller.badge).cwd)

    def desc(self, caller: Caller, fd: int) -> Description:
        return self.proc(caller.badge).get(fd)

    def file(self, caller: Caller, fd: int) -> File:
        desc = self.desc(caller, fd)
        if isinstance(desc, PipeEnd | Terminal):
            raise ServiceError("ESPIPE", f"fd {fd} is a pipe or a terminal")
        return desc

    def finish(self, caller: Caller, answers: Answers) -> msgspec.Struct:
        """Send the settled answers; the caller's own is returned (or DEFER). A waiting
        caller that went away (its Reply cap is gone) is skipped."""
        mine: msgspec.Struct = DEFER
        for c, reply in answers:
            if c is caller:
                mine = reply
            elif c.reply is not None:
                with contextlib.suppress(KernelError):
                    self.answer(c, reply)
        if isinstance(mine, Failure):
            raise ServiceError(mine.error, mine.message)
        return mine

    def waiting(self, caller: Caller) -> bool:
        """Whether a deferred caller still waits for its answer (its Reply cap is there)."""
        if caller.reply is None or caller.reply == self._current:
            return True
        try:
            self.gate_of().cap_info(caller.reply)
        except KernelError:
            return False
        return True

    def system(self, caller: Caller) -> None:
        if not 0 < caller.badge < vp.SYSTEM_BADGES:
            raise ServiceError("EPERM", "only system servers may ask this")

    def new_name(self, walk: Walk, path: str) -> tuple[Loc, str]:
        """The directory and name for a new non-directory `path` (EEXIST if taken)."""
        d, name, slash = walk.parent(path)
        if name in (".", ".."):
            raise ServiceError("EEXIST", f"{path!r} exists")
        if slash:
            try:
                d.mount.call(fs.Lookup(d.ino, name))
            except ServiceError as e:
                raise ServiceError("ENOENT", f"{path!r}: a trailing / on a new file") from e
            raise ServiceError("EEXIST", f"{path!r} exists")
        return d, name

    def raw(self, d: Loc, name: str) -> fs.Attr:
        """Lookup without entering a mount; EBUSY if the entry is a mount point."""
        attr: fs.Attr = d.mount.call(fs.Lookup(d.ino, name))
        if self.mounts.covering(Loc(d.mount, attr.ino)) is not None:
            raise ServiceError("EBUSY", f"{name!r} is a mount point")
        return attr

    # -- open and close ----------------------------------------------------------

    def do_open(self, request: vp.Open, caller: Caller) -> vp.Opened:
        flags, p = request.flags, self.proc(caller.badge)
        if flags & vp.O_ACCMODE == vp.O_ACCMODE or (flags & vp.O_CREAT and flags & vp.O_DIRECTORY):
            raise ServiceError("EINVAL", "bad open flags")
        fd = p.free()[0]
        loc, attr = self.open_node(self.walk(caller), request, p.umask)
        check_open(attr, flags)
        if flags & vp.O_TRUNC and flags & vp.O_ACCMODE != vp.O_RDONLY and attr.size:
            loc.mount.call(fs.Truncate(loc.ino, 0))
        desc = File(loc, flags)
        if isinstance(loc.mount.client, DevFs) and loc.ino in (TTY, CONSOLE):
            desc = Terminal(loc, flags, err=loc.ino == CONSOLE)
        return vp.Opened(p.put(fd, desc, bool(flags & vp.O_CLOEXEC)))

    def open_node(self, walk: Walk, request: vp.Open, umask: int) -> tuple[Loc, fs.Attr]:
        follow = not request.flags & vp.O_NOFOLLOW
        if not request.flags & vp.O_CREAT:
            return walk.node(request.path, follow)
        d, name, slash = walk.parent(request.path)
        while True:
            if slash or name in (".", ".."):
                raise ServiceError("EISDIR", f"{request.path!r} is a directory")
            try:
                loc, attr = walk.step(d, name)
            except ServiceError as e:
                if e.error != "ENOENT":
                    raise
                mode = request.mode & 0o7777 & ~umask
                attr = d.mount.call(fs.Create(d.ino, name, stat.S_IFREG | mode))
                return Loc(d.mount, attr.ino), attr
            if request.flags & vp.O_EXCL:
                raise ServiceError("EEXIST", f"{request.path!r} exists")
            if not (islink(attr) and follow):
                return loc, attr
            walk.links += 1
            if walk.links > MAX_LINKS:
                raise ServiceError("ELOOP", "too many levels of symbolic links")
            target = loc.mount.call(fs.Readlink(loc.ino)).target
            d, name, slash = walk.parent(target, start=d)

    def close(self, caller: Caller, p: Proc, fd: int) -> None:
        """Close `fd` of `p`, answering whoever that settles; a pipe with no ends goes, and
        so does a file unlinked while open, once no description has it open."""
        desc = p.get(fd)
        self.finish(caller, p.close(fd))
        if isinstance(desc, PipeEnd) and not (desc.pipe.readers or desc.pipe.writers):
            del self.pipes[desc.pipe.id]
        if isinstance(desc, File) and (desc.loc.mount.dev, desc.loc.ino) in self.unlinked \
                and not self.is_open(desc.loc):
            d, hidden = self.unlinked.pop((desc.loc.mount.dev, desc.loc.ino))
            with contextlib.suppress(ServiceError):
                d.mount.call(fs.Unlink(d.ino, hidden))

    def is_open(self, loc: Loc) -> bool:
        return any(isinstance(slot.desc, File) and slot.desc.loc == loc
                   for proc in self.procs.values() for slot in proc.fds.values())

    def hide_if_open(self, d: Loc, name: str) -> bool:
        """POSIX keeps a file unlinked while open until its last close: if `name` in `d` is
        the last name of a file a description has open, it is renamed to a hidden name
        instead (NFS's "silly rename"), which the last close unlinks. Whether it was."""
        try:
            attr = d.mount.call(fs.Lookup(d.ino, name))
        except ServiceError:
            return False
        loc = Loc(d.mount, attr.ino)
        if isdir(attr) or attr.nlinks != 1 or not self.is_open(loc):
            return False
        hidden = f"{HIDDEN}{attr.ino}"
        d.mount.call(fs.Rename(d.ino, name, d.ino, hidden))
        self.unlinked[(d.mount.dev, attr.ino)] = (d, hidden)
        return True

    def do_close(self, request: vp.Close, caller: Caller) -> vp.Done:
        self.close(caller, self.proc(caller.badge), request.fd)
        return vp.Done()

    def do_dup(self, request: vp.Dup, caller: Caller) -> vp.Opened:
        p = self.proc(caller.badge)
        desc = p.get(request.fd)
        return vp.Opened(p.put(p.free()[0], desc))

    def do_dup2(self, request: vp.Dup2, caller: Caller) -> vp.Opened:
        p = self.proc(caller.badge)
        desc = p.get(request.fd)
        if not 0 <= request.new < MAX_FDS:
            raise ServiceError("EBADF", f"fd {request.new} is out of range")
        if request.new != request.fd:
            if request.new in p.fds:
                self.close(caller, p, request.new)
            p.put(request.new, desc)
        return vp.Opened(request.new)

    def do_pipe(self, request: vp.Pipe, caller: Caller) -> vp.Piped:
        p = self.proc(caller.badge)
        r, w = p.free(2)
        pipe = self.pipes[self.next_pipe] = Pipe(self.next_pipe, waiting=self.waiting,
                                                      memory=self.pipe_memory)
        self.next_pipe += 1
        p.put(r, PipeEnd(pipe, False), request.cloexec)
        p.put(w, PipeEnd(pipe, True), request.cloexec)
        return vp.Piped(r, w)

    # -- data --------------------------------------------------------------------

    def readable(self, caller: Caller, fd: int, size: int) -> Description:
        desc = self.desc(caller, fd)
        if size < 0:
            raise ServiceError("EINVAL", "negative size")
        if not desc.readable:
            raise ServiceError("EBADF", f"fd {fd} is not open for reading")
        return desc

    def do_read(self, request: vp.Read, caller: Caller) -> msgspec.Struct:
        desc = self.readable(caller, request.fd, request.size)
        size = min(request.size, vp.MAX_READ)
        if isinstance(desc, PipeEnd):
            return self.finish(caller, desc.pipe.read(caller, size))
        if isinstance(desc, Terminal):
            return self.finish(caller, self.console.read(caller, size))
        data = read_at(desc.loc, desc.offset, size)
        desc.offset += len(data)
        return vp.Data(data)

    def do_read_shared(self, request: vp.ReadShared, caller: Caller) -> msgspec.Struct:
        desc = self.readable(caller, request.fd, request.size)
        if isinstance(desc, PipeEnd | Terminal):  # (as Read: answered with Data)
            return self.do_read(vp.Read(request.fd, request.size), caller)
        with self.shares.get(caller.badge, request.size) as out:
            count = read_into(desc.loc, desc.offset, out)
        desc.offset += count
        return vp.Moved(count)

    def do_write(self, request: vp.Write, caller: Caller) -> msgspec.Struct:
        return self.write(caller, request.fd, request.data)

    def do_write_shared(self, request: vp.WriteShared, caller: Caller) -> msgspec.Struct:
        with self.shares.get(caller.badge, request.size) as data:
            return self.write(caller, request.fd, data)

    def write(self, caller: Caller, fd: int, data: bytes | memoryview) -> msgspec.Struct:
        desc = self.desc(caller, fd)
        if not desc.writable:
            raise ServiceError("EBADF", f"fd {fd} is not open for writing")
        if isinstance(desc, PipeEnd):
            return self.finish(caller, desc.pipe.write(caller, bytes(data)))
        if isinstance(desc, Terminal):
            return vp.Written(self.output(bytes(data), desc.err))
        offset = desc.offset
        if desc.flags & vp.O_APPEND:
            offset = desc.loc.mount.call(fs.Stat(desc.loc.ino)).size
        count = write_from(desc.loc, offset, memoryview(data))
        desc.offset = offset + count
        return vp.Written(count)

    def do_share(self, request: vp.Share, caller: Caller) -> vp.Done:
        if len(caller.caps) != 1:
            raise ServiceError("EINVAL", "Share carries exactly one Memory cap")
        self.shares.share(caller.badge, caller.caps[0])
        self._kept.add(caller.caps[0])
        return vp.Done()

    def do_seek(self, request: vp.Seek, caller: Caller) -> vp.Position:
        desc = self.file(caller, request.fd)
        if request.whence == vp.SEEK_SET:
            base = 0
        elif request.whence == vp.SEEK_CUR:
            base = desc.offset
        elif request.whence == vp.SEEK_END:
            base = desc.loc.mount.call(fs.Stat(desc.loc.ino)).size
        else:
            raise ServiceError("EINVAL", f"bad whence {request.whence}")
        if not 0 <= base + request.offset <= MAX_OFFSET:
            raise ServiceError("EINVAL", f"offset {base + request.offset} is out of range "
                               f"0..{MAX_OFFSET}")
        desc.offset = base + request.offset
        return vp.Position(desc.offset)

    def do_set_attr(self, request: vp.SetAttr, caller: Caller) -> vp.Done:
        if request.mode is not None and not 0 <= request.mode <= 0o7777:
            raise ServiceError("EINVAL", f"mode {request.mode:#o}: permission bits only")
        for t in (request.atime, request.mtime):
            if t is not None and not 0 <= t < 2**32:
                raise ServiceError("EINVAL", f"time {t}: 0..2**32-1 seconds (MINIX's)")
        if isinstance(request.file, int):
            desc = self.desc(caller, request.file)
            if isinstance(desc, PipeEnd | Terminal):
                return vp.Done()  # (a pipe's or the console's attributes are nobody's)
            loc = desc.loc
        else:
            loc, _ = self.walk(caller).node(request.file, request.follow)
        loc.mount.call(fs.SetAttr(loc.ino, mode=request.mode, atime=request.atime,
                                  mtime=request.mtime))
        return vp.Done()

    def do_truncate(self, request: vp.Truncate, caller: Caller) -> vp.Done:
        if request.size < 0:
            raise ServiceError("EINVAL", "negative size")
        if isinstance(request.file, int):
            desc = self.desc(caller, request.file)
            if isinstance(desc, PipeEnd | Terminal) or not desc.writable:
                raise ServiceError("EINVAL", f"fd {request.file} is not a file open to write")
            loc = desc.loc
        else:
            loc, attr = self.walk(caller).node(request.file, True)
            if isdir(attr):
                raise ServiceError("EISDIR", f"{request.file!r} is a directory")
        loc.mount.call(fs.Truncate(loc.ino, request.size))
        return vp.Done()

    # -- metadata ----------------------------------------------------------------

    def do_stat(self, request: vp.Stat, caller: Caller) -> vp.Status:
        return status(*self.walk(caller).node(request.path, request.follow))

    def do_readiness(self, request: vp.Readiness, caller: Caller) -> vp.Readied:
        if len(request.fds) > MAX_FDS:
            raise ServiceError("EINVAL", f"{len(request.fds)} fds in one Readiness")
        out = []
        for fd in request.fds:
            try:
                desc = self.desc(caller, fd)
            except ServiceError:
                out.append(vp.FdReady(fd, False, False, bad=True))
                continue
            out.append(self.ready(fd, desc))
        return vp.Readied(out)

    def ready(self, fd: int, desc: Description) -> vp.FdReady:
        """What select would report of `desc` now."""
        if isinstance(desc, PipeEnd):
            pipe = desc.pipe
            if desc.writing:
                return vp.FdReady(fd, False, len(pipe.buf) + PIPE_BUF <= CAPACITY
                                  or pipe.readers == 0)  # (no reader: a write fails at once)
            return vp.FdReady(fd, bool(pipe.buf or pipe.writes), False, pipe.writers == 0)
        if isinstance(desc, Terminal):
            return vp.FdReady(fd, desc.readable and bool(self.console.chunks), desc.writable)
        return vp.FdReady(fd, desc.readable, desc.writable)

    def do_fstat(self, request: vp.Fstat, caller: Caller) -> vp.Status:
        desc = self.desc(caller, request.fd)
        if isinstance(desc, PipeEnd):
            return vp.Status(0, desc.pipe.id, stat.S_IFIFO | 0o600, 1, 0, 0,
                          len(desc.pipe.buf), 0, 0, 0)
        found = status(desc.loc, desc.loc.mount.call(fs.Stat(desc.loc.ino)))
        if isinstance(desc, Terminal) and not self.terminal_side(desc):
            return msgspec.structs.replace(found, mode=stat.S_IFIFO | 0o600)
        return found

    def terminal_side(self, desc: Terminal) -> bool:
        """Is the host side of this console descriptor a terminal? (Its input for a
        read-only one, else its output.) Not one: it shows as a FIFO, so `isatty` is
        false in Pith exactly when it would be on the host."""
        if self.kinds is None:
            try:
                self.kinds = self.tty.call(tp.Kinds()) if self.tty else None
            except (KernelError, ServiceError):
                return True
        if self.kinds is None:
            return True
        if desc.flags & vp.O_ACCMODE == vp.O_RDONLY:
            return self.kinds.stdin
        return self.kinds.stderr if desc.err else self.kinds.stdout

    def do_statfs(self, request: vp.Statfs, caller: Caller) -> vp.FsStatus:
        loc, _ = self.walk(caller).node(request.path, True)
        i = loc.mount.call(fs.Statfs())
        return vp.FsStatus(i.block_size, i.blocks, i.free_blocks, i.inodes, i.free_inodes,
                        i.name_max)

    def do_sync(self, request: vp.Sync, caller: Caller) -> vp.Done:
        for m in [self.mounts.root, *self.mounts.on.values()]:
            m.call(fs.Sync())
        return vp.Done()

    # -- names -------------------------------------------------------------------

    def do_mkdir(self, request: vp.Mkdir, caller: Caller) -> vp.Done:
        d, name, _ = self.walk(caller).parent(request.path)
        if name in (".", ".."):
            raise ServiceError("EEXIST", f"{request.path!r} exists")
        mode = request.mode & 0o7777 & ~self.proc(caller.badge).umask
        d.mount.call(fs.Mkdir(d.ino, name, mode))
        return vp.Done()

    def do_umask(self, request: vp.Umask, caller: Caller) -> vp.Masked:
        p = self.proc(caller.badge)
        old, p.umask = p.umask, request.mask & 0o777
        return vp.Masked(old)

    def do_rmdir(self, request: vp.Rmdir, caller: Caller) -> vp.Done:
        d, name, _ = self.walk(caller).parent(request.path)
        if name in (".", ".."):
            raise ServiceError("EINVAL" if name == "." else "ENOTEMPTY", "bad last name")
        if not isdir(self.raw(d, name)):
            raise ServiceError("ENOTDIR", f"{request.path!r} is not a directory")
        d.mount.call(fs.Rmdir(d.ino, name))
        return vp.Done()

    def do_unlink(self, request: vp.Unlink, caller: Caller) -> vp.Done:
        d, name, slash = self.walk(caller).parent(request.path)
        if name in (".", ".."):
            raise ServiceError("EISDIR", f"{request.path!r} is a directory")
        if slash:
            kind = "EISDIR" if isdir(d.mount.call(fs.Lookup(d.ino, name))) else "ENOTDIR"
            raise ServiceError(kind, f"{request.path!r}: unlink with a trailing /")
        if not self.hide_if_open(d, name):
            d.mount.call(fs.Unlink(d.ino, name))
        return vp.Done()

    def do_rename(self, request: vp.Rename, caller: Caller) -> vp.Done:
        d1, n1, s1 = self.walk(caller).parent(request.old)
        d2, n2, s2 = self.walk(caller).parent(request.new)
        if {n1, n2} & {".", ".."}:
            raise ServiceError("EBUSY", "cannot rename . or ..")
        if d1.mount is not d2.mount:
            raise ServiceError("EXDEV", "rename across mounts")
        if (s1 or s2) and not isdir(self.raw(d1, n1)):
            raise ServiceError("ENOTDIR", f"{request.old!r} is not a directory")
        if not (s1 or s2):
            self.raw(d1, n1)
        try:
            replaced = self.raw(d2, n2)
        except ServiceError as e:
            if e.error != "ENOENT":
                raise
            replaced = None
        source = self.raw(d1, n1)
        hidden = (replaced is not None and replaced.ino != source.ino and not isdir(replaced)
                  and not isdir(source) and self.hide_if_open(d2, n2))  # (a file replaced
        try:  # while open lives on until closed)
            d1.mount.call(fs.Rename(d1.ino, n1, d2.ino, n2))
        except ServiceError:
            if hidden and replaced is not None:  # (put it back: the rename changed nothing)
                d, name = self.unlinked.pop((d2.mount.dev, replaced.ino))
                d.mount.call(fs.Rename(d.ino, name, d2.ino, n2))
            raise
        return vp.Done()

    def do_link(self, request: vp.Link, caller: Caller) -> vp.Done:
        loc, _ = self.walk(caller).node(request.old, False)
        d, name = self.new_name(self.walk(caller), request.new)
        if loc.mount is not d.mount:
            raise ServiceError("EXDEV", "link across mounts")
        d.mount.call(fs.Link(d.ino, name, loc.ino))
        return vp.Done()

    def do_symlink(self, request: vp.Symlink, caller: Caller) -> vp.Done:
        d, name = self.new_name(self.walk(caller), request.path)
        d.mount.call(fs.Symlink(d.ino, name, request.target))
        return vp.Done()

    def do_readlink(self, request: vp.Readlink, caller: Caller) -> vp.Target:
        loc, attr = self.walk(caller).node(request.path, False)
        if not islink(attr):
            raise ServiceError("EINVAL", f"{request.path!r} is not a symlink")
        return vp.Target(loc.mount.call(fs.Readlink(loc.ino)).target)

    def do_listdir(self, request: vp.Listdir, caller: Caller) -> vp.Names:
        loc, attr = self.walk(caller).node(request.path, True)
        if not isdir(attr):
            raise ServiceError("ENOTDIR", f"{request.path!r} is not a directory")
        if request.start < 0:
            raise ServiceError("EINVAL", "negative start")
        return list_names(loc, request.start)

    # -- working directory ---------------------------------------------------------

    def do_chdir(self, request: vp.Chdir, caller: Caller) -> vp.Done:
        loc, attr = self.walk(caller).node(request.path, True)
        if not isdir(attr):
            raise ServiceError("ENOTDIR", f"{request.path!r} is not a directory")
        self.proc(caller.badge).cwd = loc
        return vp.Done()

    def do_getcwd(self, request: vp.Getcwd, caller: Caller) -> vp.Cwd:
        walk = self.walk(caller)
        return vp.Cwd(walk.path_of(walk.cwd))

    # -- the process manager's ---------------------------------------------------

    def do_inherit(self, request: vp.Inherit, caller: Caller) -> vp.Done:
        self.system(caller)
        if request.child in self.procs:
            raise ServiceError("EEXIST", f"badge {request.child} already has state")
        self.procs[request.child] = self.proc(request.parent).copy()
        return vp.Done()

    def do_exec(self, request: vp.Exec, caller: Caller) -> vp.Done:
        if request.badge != caller.badge:  # (a process may close its own close-on-exec fds)
            self.system(caller)
        p = self.procs.get(request.badge) or Proc(Loc(self.mounts.root, fs.ROOT))
        for fd in [fd for fd, slot in p.fds.items() if slot.cloexec]:
            self.close(caller, p, fd)
        return vp.Done()

    def do_forget_users(self, request: vp.ForgetUsers, caller: Caller) -> vp.Done:
        self.system(caller)
        users = {b for b in self.procs if b >= vp.SYSTEM_BADGES} | self.console.badges()
        for badge in users:
            self.do_forget(vp.Forget(badge), caller)
        return vp.Done()

    def do_forget(self, request: vp.Forget, caller: Caller) -> vp.Done:
        self.system(caller)
        for pipe in self.pipes.values():
            pipe.cancel(request.badge)
        self.console.cancel(request.badge)
        self.shares.drop(request.badge)
        p = self.procs.pop(request.badge, None) or Proc(Loc(self.mounts.root, fs.ROOT))
        for fd in list(p.fds):
            self.close(caller, p, fd)
        return vp.Done()


    # -- the console ----------------------------------------------------------------

    def do_console_input(self, request: tp.ConsoleInput, caller: Caller) -> vp.Done:
        self.system(caller)
        self.finish(caller, self.console.push(request.data))
        return vp.Done()

    def do_console_flush(self, request: tp.ConsoleFlush, caller: Caller) -> vp.Done:
        self.system(caller)
        self.finish(caller, self.console.flush())
        return vp.Done()

    def output(self, data: bytes, err: bool) -> int:
        """`data` to the console through the tty driver, in pieces; the count written.
        A tty that died on a piece is asked again, once (rs restarts it)."""
        if self.tty is None:
            raise ServiceError("ENXIO", "no console driver (tty)")
        for at in range(0, len(data), OUTPUT_CHUNK):
            piece = tp.Output(data[at:at + OUTPUT_CHUNK], err)
            try:
                try:
                    self.tty.call(piece)
                except ServerDied:
                    self.tty.call(piece, timeout=RETRY_TIMEOUT)
            except (KernelError, ServiceError) as e:
                if at:
                    return at
                raise ServiceError("EIO", f"console output failed: {e}") from e
        return len(data)


def mount_table(args: tuple[str, ...], caps: dict[str, int]) -> list[tuple[str, str]]:
    """(path, cap name) from args `mount=PATH:CAP`, else the defaults whose caps exist."""
    table = []
    for arg in args:
        if arg.startswith("mount="):
            path, _, cap = arg[6:].partition(":")
            if not path.startswith("/") or cap not in caps:
                raise ValueError(f"vfs: bad mount {arg!r} (caps: {', '.join(caps)})")
            table.append((path, cap))
    return table or [(p, c) for p, c in DEFAULT_MOUNTS if c in caps]


def check_open(attr: fs.Attr, flags: int) -> None:
    if islink(attr):
        raise ServiceError("ELOOP", "vp.O_NOFOLLOW on a symlink")
    if isdir(attr) and (flags & vp.O_ACCMODE != vp.O_RDONLY or flags & (vp.O_TRUNC | vp.O_CREAT)):
        raise ServiceError("EISDIR", "a directory opened to write")
    if flags & vp.O_DIRECTORY and not isdir(attr):
        raise ServiceError("ENOTDIR", "vp.O_DIRECTORY on a non-directory")


def read_at(loc: Loc, offset: int, size: int) -> bytes:
    """Up to `size` bytes at `offset` (fewer only at the end of the file)."""
    out = bytearray(size)
    return bytes(out[:read_into(loc, offset, memoryview(out))])


HIDDEN = ".pith-unlinked-"  # the name of a file unlinked while open (not listed)


def list_names(loc: Loc, skip: int) -> vp.Names:
    names: list[str] = []
    budget, start, more = NAMES_BUDGET, 0, True
    while more and budget > 0:
        entries = loc.mount.call(fs.Readdir(loc.ino, start))
        start, more = start + len(entries.entries), entries.more
        for name, _ in entries.entries:
            if name in (".", "..") or name.startswith(HIDDEN):
                continue
            if skip:
                skip -= 1
            elif budget > 0:
                names.append(name)
                budget -= len(name.encode()) + 8
            else:
                return vp.Names(names, True)
    return vp.Names(names, more)


def cached(mount: Mount, gate_of: Callable[[], Gate] | None = None) -> Mount:
    """`mount`, with a name cache if its file system says it may have one (names.py),
    and a data buffer (shared.py) if it is `shared` and `gate_of` can make Memory."""
    try:
        info = mount.call(fs.Statfs())
    except ServiceError:
        return mount
    if isinstance(info, fs.FsInfo) and info.cacheable:
        mount.cache = NameCache()
    if isinstance(info, fs.FsInfo) and info.shared and gate_of is not None:
        mount.data = FsData(mount, gate_of)
    return mount
