"""Modes and times: umask, os.chmod and fchmod, os.utime (whole seconds), shutil.copymode,
and Path.chmod, as the host does them."""
import os
import shutil
import stat
from pathlib import Path

old = os.umask(0o027)
print("umask was", oct(old), "now", oct(os.umask(0o027)))
Path("made").write_text("x")
os.mkdir("dir")
print(oct(stat.S_IMODE(os.stat("made").st_mode)), oct(stat.S_IMODE(os.stat("dir").st_mode)))
os.chmod("made", 0o755)
Path("dir").chmod(0o700)
print(oct(stat.S_IMODE(os.stat("made").st_mode)), oct(stat.S_IMODE(os.stat("dir").st_mode)))
fd = os.open("made", os.O_RDONLY)
os.fchmod(fd, 0o4711)
os.close(fd)
print(oct(stat.S_IMODE(os.lstat("made").st_mode)), os.access("made", os.X_OK))
os.utime("made", (1_000_000_000, 1_500_000_000))
print(os.stat("made").st_atime, os.stat("made").st_mtime)
os.utime("made", ns=(2_000_000_000_000_000_000, 2_100_000_000_000_000_000))
print(int(os.stat("made").st_mtime))
Path("copy").write_text("y")
shutil.copymode("made", "copy")
print(oct(stat.S_IMODE(os.stat("copy").st_mode)))
try:
    os.chmod("nothing-here", 0o644)
except FileNotFoundError as e:
    print("FileNotFoundError", e.filename)
