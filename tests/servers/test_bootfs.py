"""bootfs: Pith's own commands, read-only at /boot/bin, whatever disk boots."""

from __future__ import annotations

import stat

import msgspec
import pytest

from pith.lib.server import Caller, ServiceError
from pith.protocols import fs as fp
from pith.servers.bootfs.server import BIN, BIN_INO, BootfsServer

CALLER = Caller(1, None)


@pytest.fixture
def bootfs() -> BootfsServer:
    return BootfsServer({})


def test_the_bin_directory_lists_every_command_and_nothing_else(bootfs: BootfsServer) -> None:
    names = [n for n, _ in bootfs.do_readdir(fp.Readdir(BIN_INO), CALLER).entries]
    expected = sorted(p.name for p in BIN.glob("*.py") if p.name != "__init__.py")
    assert names == [".", "..", *expected]
    assert "init.py" in names


def test_a_command_reads_back_byte_for_byte(bootfs: BootfsServer) -> None:
    attr = bootfs.do_lookup(fp.Lookup(BIN_INO, "init.py"), CALLER)
    assert stat.S_ISREG(attr.mode) and attr.mode & 0o111
    data = b""
    while chunk := bootfs.do_read(fp.Read(attr.ino, len(data), 100), CALLER).data:
        data += chunk
    assert data == (BIN / "init.py").read_bytes()
    assert attr.size == len(data)


@pytest.mark.parametrize("request_", [
    fp.Create(BIN_INO, "x.py", stat.S_IFREG | 0o644), fp.Mkdir(fp.ROOT, "d", 0o755),
    fp.Unlink(BIN_INO, "init.py"), fp.Write(3, 0, b"x"), fp.Truncate(3, 0),
    fp.Rename(BIN_INO, "init.py", BIN_INO, "y.py"),
])
def test_anything_that_would_change_it_is_erofs(bootfs: BootfsServer,
                                                 request_: object) -> None:
    before = bootfs.do_readdir(fp.Readdir(BIN_INO), CALLER)
    reply = bootfs.dispatch(msgspec.msgpack.encode(request_), CALLER)
    assert reply is not None and b"EROFS" in reply
    assert bootfs.do_readdir(fp.Readdir(BIN_INO), CALLER) == before


def test_bad_lookups_and_reads_are_refused(bootfs: BootfsServer) -> None:
    with pytest.raises(ServiceError) as e:
        bootfs.do_lookup(fp.Lookup(BIN_INO, "nope"), CALLER)
    assert e.value.error == "ENOENT"
    with pytest.raises(ServiceError) as e:
        bootfs.do_read(fp.Read(BIN_INO, 0, 10), CALLER)
    assert e.value.error == "EISDIR"
    with pytest.raises(ServiceError) as e:
        bootfs.do_read(fp.Read(9999, 0, 10), CALLER)
    assert e.value.error == "ENOENT"
    with pytest.raises(ServiceError) as e:
        bootfs.do_readdir(fp.Readdir(3), CALLER)
    assert e.value.error == "ENOTDIR"
