"""`pith boot`: set up the host side of a boot and hand over to the kernel.

What the host gives the system, by the manifest's `devices`:
- `disk`: the disk image, read-write (`--image`, else the default image; see
  `default_image`), made with Pith's commands in /bin when it does not exist yet. The
  default image's /bin is kept in step with this Pith's commands at every boot.
  The image is locked (flock) while a Pith runs on it: a second boot of the
  same image waits, so two systems never write one disk.
- `console_in`, `console_out`, `console_err`: the host's fds 0, 1 and 2, for tty.
- `net`: with `--net tap[:NAME]` only, a new TAP device (pith/tools/tap.py) whose host side
  is configured (10.0.2.2/24 by default), for eth. The server that provides "inet" is told
  Pith's address, gateway and DNS server as its args (`ip=`, `gateway=`, `dns=`). Without
  `--net` there is no "net" device, and rs leaves out the servers marked `optional` that
  drive it (eth): inet then has the loopback alone.

The command line: with a process manager in the manifest (the default), rs has
pm start init, and `--command LINE` becomes `init -c LINE` (sh -c LINE); with
no command init starts an interactive shell. A manifest without pm runs one
program the old way (`NAME` is pith.programs.NAME, or a `.py` file).

What the install needs: the user who boots must be able to read Pith's code, every
directory of it searchable and every file readable (`check_install`; the sandboxed
processes read it as that user, or, as root, with their own uid and CAP_DAC_READ_SEARCH,
so a private directory is fine). A tree that is not is refused before anything starts,
not found later as a server that dies at every restart.

The host terminal: when stdin is a terminal, the boot runs in a child process
and this one waits and then restores the terminal's settings, so they come back
on every exit path, even a kernel killed with SIGKILL.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import os
import shlex
import signal
import sys
import termios
from collections.abc import Iterator
from pathlib import Path

import msgspec

from pith.lib.manifest import Manifest, ManifestError, program_path
from pith.tools.tap import NetConfig, NetError, configure_host, open_tap

__all__ = [
    "MANIFESTS", "MODES", "BootError", "boot", "check_install", "default_image", "manifest_path",
]

PR_SET_PDEATHSIG = 1
MANIFESTS = Path(__file__).resolve().parents[1] / "manifests"
# The isolation modes (docs/design.md §4), each a manifest under pith/manifests; the first
# is the default.
MODES = {"microkernel": "every server isolated in its own sandboxed process",
         "hybrid": "the disk driver and the file systems collocated in the kernel",
         "monolithic": "every server collocated in the kernel"}
CONSOLE = {"console_in": 0, "console_out": 1, "console_err": 2}


class BootError(Exception):
    """The boot cannot start (a bad manifest, an image that cannot be opened)."""


def default_image() -> Path:
    """$PITH_IMAGE, else ~/.local/share/pith/disk.img (under $XDG_DATA_HOME if set)."""
    if "PITH_IMAGE" in os.environ:
        return Path(os.environ["PITH_IMAGE"])
    data = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data) / "pith" / "disk.img"


def manifest_path(name: str | Path) -> Path:
    """The manifest a `--manifest` names: a mode (microkernel, hybrid, monolithic) is
    pith/manifests/MODE.toml; anything else is a path (./hybrid for a file of that name)."""
    return MANIFESTS / f"{name}.toml" if str(name) in MODES else Path(name)


def ensure_image(image: Path) -> None:
    """Make `image` (64 MiB, Pith's commands in /bin) unless it exists."""
    if image.exists() or image.is_symlink():
        return
    from pith.servers.mfs.cache import FileDevice
    from pith.tools.mkfs import make_image

    partial = image.with_name(image.name + f".{os.getpid()}.new")
    try:
        image.parent.mkdir(parents=True, exist_ok=True)
        device = make_image(partial).dev
        if isinstance(device, FileDevice):
            device.close()
        os.replace(partial, image)  # (atomic: a concurrent boot sees all of it or none)
    except OSError as e:
        raise BootError(f"cannot make the disk image {image}: {e.strerror}") from None
    finally:
        partial.unlink(missing_ok=True)
    print(f"pith: made the disk image {image}", file=sys.stderr)


def refresh_bin(fd: int) -> None:
    """Keep the default image's /bin in step with this Pith's commands (only those that
    differ are rewritten; other files are left alone). An image that will not mount is
    left for mfs to refuse, with its own clear error."""
    from pith.servers.mfs.cache import FileDevice
    from pith.servers.mfs.fs import FsError, MinixFS
    from pith.tools.mkfs import install_bin

    try:
        fs = MinixFS.mount(FileDevice(fd))
        if install_bin(fs, changed_only=True):
            fs.sync()
    except FsError:
        pass


@contextlib.contextmanager
def locked(image: Path) -> Iterator[int]:
    """An fd on `image`, opened read-write and locked for this boot alone."""
    try:
        fd = os.open(image, os.O_RDWR | os.O_CLOEXEC)
    except OSError as e:
        raise BootError(f"{image}: {e.strerror}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"pith: {image} is in use by another Pith; waiting for it", file=sys.stderr)
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield fd
    finally:
        os.close(fd)


def check_install(root: Path | None = None) -> None:
    """BootError naming the first directory of Pith's code (default: this package) that
    the user booting cannot search or list, or file it cannot read. (As root every check
    passes: root, and every sandboxed process, read it with CAP_DAC_READ_SEARCH.) Bytecode
    caches are not needed: Python reads the source when it cannot read one."""
    top = Path(__file__).resolve().parents[1] if root is None else root
    for path in (*reversed(top.parents), top):  # every directory above must be searchable
        if not os.access(path, os.X_OK):
            raise BootError(f"{top}: Permission denied: {path} is not searchable by uid "
                            f"{os.geteuid()}; Pith's code must be readable by the user who "
                            "boots it")

    def refuse(path: str) -> None:
        raise BootError(f"{path}: Permission denied: Pith's code must be readable by the "
                        f"user who boots it (uid {os.geteuid()})")

    for directory, dirs, files in os.walk(top, onerror=lambda e: refuse(str(e.filename))):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        if not os.access(directory, os.R_OK | os.X_OK):
            refuse(directory)
        for name in files:
            if not os.access(os.path.join(directory, name), os.R_OK):
                refuse(os.path.join(directory, name))


def boot_args(manifest: Manifest, command: str | None) -> tuple[str, ...]:
    """rs's arguments after the manifest: init's (with pm) or the program's words."""
    if "pm" in manifest.endpoints():
        return () if command is None else ("-c", command)
    if command is None:
        raise BootError("this manifest has no pm, so no shell: give --command")
    words = tuple(shlex.split(command))
    if words:
        words = (program_path(words[0], Path.cwd()), *words[1:])  # a program file as it is
    return words


def with_network(manifest: Manifest, net: NetConfig) -> Manifest:
    """`manifest` with inet's configuration added to its args (BootError: no server drives
    the device "net", so --net would give nothing)."""
    if not any("net" in s.devices for s in manifest.servers.values()):
        raise BootError("--net: this manifest has no network driver (no server with "
                        'devices = ["net"])')
    servers = {name: msgspec.structs.replace(s, args=[*s.args, *net.inet_args()])
               if "inet" in s.provides else s for name, s in manifest.servers.items()}
    return Manifest(servers, manifest.strategy)


def boot(manifest_path: Path, command: str | None, image: Path | None,
         net: NetConfig | None = None, record: Path | None = None) -> int:
    """Boot the system `manifest_path` describes (with a network when `net`); its exit
    status. With `record`, the core's every input goes to that file (pith/tools/record.py)."""
    check_install()
    try:
        manifest = Manifest.parse(manifest_path.read_text(), base=manifest_path.parent)
    except OSError as e:
        modes = "" if os.sep in str(manifest_path) else f" (a mode is one of {', '.join(MODES)})"
        raise BootError(f"{manifest_path}: {e.strerror}{modes}") from None
    except ManifestError as e:
        raise BootError(f"{manifest_path}: {e}") from None
    if net is not None:
        manifest = with_network(manifest, net)
    args = boot_args(manifest, command)
    if command is not None and not args:
        return 0  # (an empty command line, without a shell)
    wanted = {d for s in manifest.servers.values() for d in s.devices}
    with contextlib.ExitStack() as stack:
        devices: dict[str, int] = {}
        try:
            devices |= {name: os.dup(fd) for name, fd in CONSOLE.items() if name in wanted}
            if "disk" in wanted or image is not None:
                default = image is None
                image = default_image() if image is None else image
                ensure_image(image)
                devices["disk"] = os.dup(stack.enter_context(locked(image)))
                if default:
                    refresh_bin(devices["disk"])
            if net is not None:
                devices["net"] = open_tap(net.name)
                configure_host(net.name, net.host)
        except NetError as e:
            _close_all(devices)
            raise BootError(str(e)) from None
        except BaseException:
            _close_all(devices)
            raise
        return _run_kernel(manifest.to_json(), args, devices, server_modules(manifest), record)


def server_modules(manifest: Manifest) -> tuple[str, ...]:
    """The modules of the manifest's servers (not program files): the zygote imports them
    once, so starting or restarting a server is a fork."""
    modules = [s.program.partition(":")[0] for s in manifest.servers.values()]
    return ("pith.servers.rs.main", *(m for m in modules if not m.endswith(".py")))


def _close_all(fds: dict[str, int]) -> None:
    for fd in fds.values():
        os.close(fd)
    fds.clear()


def _run_kernel(manifest: str, args: tuple[str, ...], devices: dict[str, int],
                prewarm: tuple[str, ...], record: Path | None = None) -> int:
    from pith.kernel.host import boot as boot_kernel
    from pith.tools.record import hook

    install = None if record is None else hook(record)
    if not os.isatty(0):
        return boot_kernel("pith.servers.rs.main:main", (manifest, *args), devices, prewarm,
                           install)
    saved = termios.tcgetattr(0)
    child = os.fork()
    if child == 0:  # the kernel
        status = 70
        try:
            ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
            status = boot_kernel("pith.servers.rs.main:main", (manifest, *args), devices, prewarm,
                                 install)
        finally:
            os._exit(status)
    _close_all(devices)
    previous = {s: signal.signal(s, signal.SIG_IGN) for s in (signal.SIGINT, signal.SIGQUIT)}
    previous[signal.SIGTERM] = signal.signal(signal.SIGTERM, lambda *_: os.kill(child, 15))
    try:
        while True:
            try:
                _, status = os.waitpid(child, 0)
                break
            except InterruptedError:
                continue
    finally:
        termios.tcsetattr(0, termios.TCSAFLUSH, saved)
        for s, handler in previous.items():
            signal.signal(s, handler)
    code = os.waitstatus_to_exitcode(status)
    return code if code >= 0 else 128 - code
