"""`import helper` of a helper.py beside the script: modules from the Pith file system.

CPython's own finders look at host paths (the stdlib, Pith's code). This finder,
last in sys.meta_path so it sees only what they did not find, looks in the Pith
directories of `SEARCH` (the script's directory) for NAME.py or NAME/__init__.py,
and reads and compiles them through vfs.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import os
import stat
import sys
from collections.abc import Sequence
from types import ModuleType

__all__ = ["SEARCH", "PithFinder", "install_finder"]

SEARCH: list[str] = []  # Pith directories searched for top-level modules


def _is_file(path: str) -> bool:
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


class PithLoader(importlib.abc.Loader):
    def __init__(self, path: str) -> None:
        self.path = path

    def exec_module(self, module: ModuleType) -> None:
        with open(self.path, "rb") as f:
            source = f.read()
        exec(compile(source, self.path, "exec"), module.__dict__)


class PithFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        name = fullname.rpartition(".")[2]
        for directory in SEARCH if path is None else path:
            package = os.path.join(directory, name, "__init__.py")
            if _is_file(package):
                return importlib.util.spec_from_file_location(
                    fullname, package, loader=PithLoader(package),
                    submodule_search_locations=[os.path.dirname(package)])
            module = os.path.join(directory, name + ".py")
            if _is_file(module):
                return importlib.util.spec_from_file_location(fullname, module,
                                                              loader=PithLoader(module))
        return None


def install_finder(directory: str) -> None:
    """Search `directory` (of the Pith tree) last, for modules the host does not have."""
    SEARCH[:] = [directory]
    if not any(isinstance(f, PithFinder) for f in sys.meta_path):
        sys.meta_path.append(PithFinder())
