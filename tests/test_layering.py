"""The house as drawn (docs/design.md, "Layout"), checked from the code's own imports.

Every `import` and `from … import` in pith/ (at any depth: a function's lazy import
counts) is read with `ast`, and each layer may import only what it is allowed:

- the kernel core: nothing of Pith outside itself (it is a pure state machine);
- the kernel host: the kernel and the framework (it runs collocated servers and the zygote);
- protocols: other protocols, the framework, the core's errors and rights;
- a server or driver: protocols, the framework, the core — and its own package, never
  another server's or driver's code (it reaches them by IPC only);
- the library, the commands, the shell, awk and the programs rs runs: no server, driver or tool.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PITH = Path(__file__).resolve().parent.parent / "pith"


def _module(path: Path) -> str:
    parts = list(path.relative_to(PITH.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> Iterator[str]:
    """The Pith modules `path` imports (relative imports made absolute)."""
    package = _module(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            names = [".".join([*base, *([node.module] if node.module else [])])]
        else:
            continue
        yield from (n for n in names if n == "pith" or n.startswith("pith."))


def _within(name: str, *prefixes: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _own_package(module: str) -> str:
    """pith.servers.vfs.paths -> pith.servers.vfs (a server's or driver's package)."""
    return ".".join(module.split(".")[:3])


def _allowed(module: str, target: str) -> bool:
    if target == "pith":
        return True  # (the package itself: its version)
    if _within(module, "pith.kernel.core"):
        return _within(target, "pith.kernel.core")
    if _within(module, "pith.kernel"):
        return _within(target, "pith.kernel", "pith.lib")
    if _within(module, "pith.protocols"):
        return _within(target, "pith.protocols", "pith.lib", "pith.kernel.core")
    if _within(module, "pith.servers", "pith.drivers"):
        return _within(target, "pith.protocols", "pith.lib", "pith.kernel.core",
                       _own_package(module))
    if _within(module, "pith.lib", "pith.bin", "pith.shell", "pith.awk", "pith.programs"):
        return not _within(target, "pith.servers", "pith.drivers", "pith.tools")
    return True  # the host-side tools and the CLI may use anything


FILES = sorted(PITH.rglob("*.py"))


def test_every_layer_imports_only_what_it_may() -> None:
    wrong = [f"{_module(f)} imports {t}" for f in FILES for t in _imports(f)
             if not _allowed(_module(f), t)]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(("module", "target", "allowed"), [
    ("pith.kernel.core.endpoint", "pith.lib.server", False),
    ("pith.kernel.host.loop", "pith.lib.start", True),
    ("pith.servers.vfs.server", "pith.servers.vfs.paths", True),
    ("pith.servers.vfs.server", "pith.servers.mfs.fs", False),
    ("pith.servers.mfs.server", "pith.drivers.blk.server", False),
    ("pith.servers.mfs.server", "pith.tools.fsck", False),
    ("pith.servers.rs.main", "pith.protocols.pm", True),
    ("pith.lib.posix.fds", "pith.servers.vfs.dev", False),
    ("pith.bin.service", "pith.servers.rs", False),
    ("pith.protocols.vfs", "pith.servers.vfs", False),
    ("pith.tools.mkfs", "pith.servers.mfs.fs", True),
])
def test_the_rules_themselves(module: str, target: str, allowed: bool) -> None:
    assert _allowed(module, target) is allowed


def test_every_server_and_driver_is_a_package() -> None:
    for kind in ("servers", "drivers"):
        loose = [p.name for p in (PITH / kind).glob("*.py") if p.name != "__init__.py"]
        assert not loose, f"pith/{kind}: modules outside a package: {loose}"
