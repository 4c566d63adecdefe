"""The disk: the default image (made on first boot, its /bin kept in step), and any
MINIX v3 image, even one mkfs.minix made with no /bin, booting to a working shell."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from pith.servers.mfs.cache import FileDevice
from pith.servers.mfs.fs import MinixFS
from pith.servers.mfs.layout import ROOT_INO as ROOT
from pith.tools.mkfs import BIN
from tests.kernel.host.conftest import minix_image, no_leaks  # noqa: F401  (the leak check)

REPO = Path(__file__).resolve().parents[2]


def boot(command: str, image: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PITH_IMAGE": str(image)}
    return subprocess.run([sys.executable, "-m", "pith", "boot", "--command", command],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)


def test_first_boot_makes_it_and_a_stale_bin_is_brought_up_to_date(tmp_path: Path) -> None:
    image = tmp_path / "sub" / "disk.img"
    done = boot("echo kept > /mine; ls /bin | grep -c py", image)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) == len([p for p in BIN.glob("*.py") if p.name != "__init__.py"])
    assert "made the disk image" in done.stderr
    with FileDevice(image) as dev:  # an older Pith's echo.py, say
        fs = MinixFS.mount(dev)
        echo = fs.lookup(fs.lookup(ROOT, "bin").ino, "echo.py")
        fs.truncate(echo.ino, 0)
        fs.write(echo.ino, 0, b"print('stale')\n")
        fs.sync()
    done = boot("/bin/echo.py fresh; cat /mine", image)
    assert done.stdout == "fresh\nkept\n"


def test_an_image_made_by_mkfs_minix_with_no_bin_boots_to_a_working_shell(
        tmp_path: Path) -> None:
    image = minix_image(tmp_path / "plain.img", 16)
    argv = [sys.executable, "-m", "pith", "boot", "--image", str(image), "--command",
            "ls /bin 2>/dev/null | wc -l; ls /boot/bin | grep -c py; mkdir /d; "
            "echo hi > /d/x; cat /d/x | tr a-z A-Z"]
    done = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)
    commands = len([p for p in BIN.glob("*.py") if p.name != "__init__.py"])
    assert done.stdout.split() == ["0", str(commands), "HI"], done.stderr
    fsck = subprocess.run(["fsck.minix", "-f", str(image)], capture_output=True, text=True)
    assert fsck.returncode == 0, fsck.stdout
