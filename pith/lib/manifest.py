"""Boot manifests: which servers run, in which mode, with which caps, after which.

A manifest is TOML (`strategy = "rest_for_one"` at the top changes rs's
restart strategy from OTP's default, one_for_one):

    [servers.echo]
    program = "pith.servers.echo.server:EchoServer"   # what runs (or "file.py:Class", beside)
    mode = "isolated"                           # or "collocated" (in the kernel)
    provides = ["echo"]                         # endpoints it serves (it gets READ)
    uses = []                                   # endpoints it calls (WRITE and GRANT)
    depends = []                                # servers that must start first
    devices = []                                # devices it drives (`pith boot --image`: disk)
    optional = false                            # true: left out when the boot lacks its
                                                # devices (eth without --net); who uses
                                                # what it provides gets no cap for it
    kernel = []                                 # kernel caps rs gives it: spawn, sched, trace
    args = []                                   # arguments it is started with
    restart = "permanent"                       # or "transient", "temporary" (OTP's meaning)
    intensity = 1                               # more restarts than this in `period` s:
    period = 5                                  # rs gives up on it (OTP's defaults)
    heartbeat = 0                               # seconds between rs's pings (0: no pings)
    heartbeat_timeout = 0                       # to answer one (0: the period); else restarted

Decoding validates every field (unknown keys, wrong types, unknown endpoints
or dependencies, cycles are all errors with a clear message).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import msgspec

__all__ = ["Manifest", "ManifestError", "Service", "program_path"]


def program_path(program: str, base: Path) -> str:
    """A program in a file ("x.py:Class", "x.py") made absolute from `base`; others as they are."""
    file, colon, attribute = program.rpartition(":") if ":" in program else (program, "", "")
    if not file.endswith(".py"):
        return program
    return f"{(base / file).resolve()}{colon}{attribute}"


class ManifestError(ValueError):
    """The manifest is not valid; the message says where."""


class Service(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    program: str
    mode: Literal["isolated", "collocated"] = "isolated"
    provides: list[str] = []
    uses: list[str] = []
    depends: list[str] = []
    devices: list[str] = []
    optional: bool = False  # left out when the boot lacks its devices
    kernel: list[Literal["spawn", "sched", "trace"]] = []  # (pm: spawn; a tracer: trace)
    args: list[str] = []
    restart: Literal["permanent", "transient", "temporary"] = "permanent"
    intensity: int = 1  # more than this many restarts in `period` seconds: rs gives up
    period: float = 5.0
    heartbeat: float = 0.0  # seconds between pings (0: none)
    heartbeat_timeout: float = 0.0  # seconds to answer one (0: the heartbeat period)


class Manifest(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    servers: dict[str, Service] = {}
    # OTP's strategies: restart only the one that died, or it and every server started
    # after it (which may depend on it), in order
    strategy: Literal["one_for_one", "rest_for_one"] = "one_for_one"

    @classmethod
    def parse(cls, text: str, base: Path | None = None) -> Manifest:
        """Decode and check; a program file ("x.py:Class") is made absolute from `base`."""
        try:
            manifest = msgspec.toml.decode(text, type=cls)
        except msgspec.MsgspecError as e:
            raise ManifestError(f"bad manifest: {e}") from None
        manifest.order()
        if base is None:
            return manifest
        servers = {name: msgspec.structs.replace(s, program=program_path(s.program, base))
                   for name, s in manifest.servers.items()}
        return cls(servers, manifest.strategy)

    def to_json(self) -> str:
        """The checked manifest as handed to rs (JSON: the standard library writes no TOML)."""
        return msgspec.json.encode(self).decode()

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        try:
            manifest = msgspec.json.decode(text, type=cls)
        except msgspec.MsgspecError as e:
            raise ManifestError(f"bad manifest: {e}") from None
        manifest.order()
        return manifest

    def endpoints(self) -> list[str]:
        """Every endpoint some server provides, in manifest order."""
        return [name for s in self.servers.values() for name in s.provides]

    def order(self) -> list[str]:
        """Server names in an order that starts each after its dependencies."""
        provided = {*self.endpoints(), "rs"}  # rs serves "rs" itself (what procfs shows)
        devices = [d for s in self.servers.values() for d in s.devices]
        for d in devices:
            if devices.count(d) > 1:
                raise ManifestError(f"device {d} is given to more than one server")
        if len(set(self.endpoints())) != len(self.endpoints()):
            raise ManifestError("an endpoint is provided by more than one server")
        for name, s in self.servers.items():
            for e in s.uses:
                if e not in provided:
                    raise ManifestError(f"server {name} uses endpoint {e}, which nobody provides")
            for d in s.depends:
                if d not in self.servers:
                    raise ManifestError(f"server {name} depends on unknown server {d}")
            if min(s.heartbeat, s.heartbeat_timeout, s.intensity) < 0 or s.period <= 0:
                raise ManifestError(f"server {name}: negative heartbeat or intensity, or a "
                                    "period that is not positive")
        done: list[str] = []
        while len(done) < len(self.servers):
            ready = [n for n, s in self.servers.items()
                     if n not in done and all(d in done for d in s.depends)]
            if not ready:
                raise ManifestError("the servers' dependencies form a cycle")
            done += ready
        return done
