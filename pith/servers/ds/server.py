"""ds, Pith's data store: names to capabilities, a stash per service, subscriptions.

The protocol and its client are pith/protocols/ds.py. What this server keeps:

- The registry. A name belongs to the badge that first published it (others get
  EPERM); its cap is the one sent with `Publish`, which the kernel derived from
  the publisher's, so it is revoked when the publisher dies: the name then
  answers ENOENT until the publisher, restarted, publishes again. A slot of a
  revoked cap may be reused by a cap that comes with a later message, so an
  entry is stale as soon as its slot is one of a message's caps, or `CapInfo`
  no longer shows the object it had.
- The stashes, by the caller's badge (rs mints every service's ds cap with badge
  1 + its index in the manifest, the same after a restart): at most MAX_KEYS keys
  and MAX_STASH bytes each (ENOSPC), values of at most MAX_VALUE bytes (E2BIG).
  Unbadged callers have no identity and may not stash (EPERM).
- Watchers: deferred `Watch` calls, answered when a name they watch is published
  or unpublished (at most MAX_WATCHERS waiting; ones whose caller has gone are
  dropped).

ds itself keeps all this in memory: it refuses a live update (its caps cannot be
handed over), and a crash of ds loses the registry and the stashes (as in MINIX 3,
ds is small and trusted: start it first, and keep it simple).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from pith.kernel.core.errors import KernelError, MissingRight
from pith.lib.server import DEFER, Caller, Failure, Prepare, Prepared, Server, ServiceError
from pith.protocols import ds as p

__all__ = ["DsServer"]

MAX_NAMES = 1024  # names in the registry
MAX_WATCHERS = 1024  # Watch calls waiting


@dataclass
class Entry:
    owner: int  # the badge that published it
    slot: int  # ds's slot of the cap (-1: stale, its publisher died)
    described: tuple[str, int, int] = ("", 0, 0)  # kind, object, rights when published


@dataclass
class Watcher:
    names: list[str]
    seen: int
    caller: Caller


def _check(name: str, what: str) -> None:
    if not 0 < len(name) <= p.MAX_KEY:
        raise ServiceError("EINVAL", f"a {what} is 1..{p.MAX_KEY} characters, not {len(name)}")


class DsServer(Server):
    requests = p.DsRequest
    endpoint = "ds"

    def setup(self) -> None:
        self.entries: dict[str, Entry] = {}
        self.versions: dict[str, int] = {}  # name -> the version of its last change
        self.version = 0
        self.stashes: dict[int, dict[str, bytes]] = {}  # badge -> key -> data
        self.watchers: list[Watcher] = []

    # --- the registry -----------------------------------------------------------------

    def dispatch(self, msg: bytes, caller: Caller) -> bytes | None:
        for entry in self.entries.values():  # (see the module's note on stale slots)
            if entry.slot in caller.caps:
                entry.slot = -1
        try:
            return super().dispatch(msg, caller)
        finally:
            taken = {e.slot for e in self.entries.values()}
            for slot in caller.caps:  # caps that came with a request that does not keep them
                if slot not in taken:
                    with contextlib.suppress(KernelError):
                        self.gate_of().cap_delete(slot)

    def _live(self, entry: Entry) -> bool:
        if entry.slot < 0:
            return False
        try:
            info = self.gate_of().cap_info(entry.slot)
        except KernelError:
            entry.slot = -1
            return False
        if (info.kind, info.object, info.rights) != entry.described:
            entry.slot = -1
        return entry.slot >= 0

    def do_publish(self, request: p.Publish, caller: Caller) -> p.Version:
        _check(request.name, "name")
        if len(caller.caps) != 1:
            raise ServiceError("EINVAL", f"publish {request.name!r} with one cap, "
                               f"not {len(caller.caps)}")
        old = self.entries.get(request.name)
        if old is not None and old.owner != caller.badge:
            raise ServiceError("EPERM", f"{request.name!r} was published by another service")
        if old is None and len(self.entries) >= MAX_NAMES:
            raise ServiceError("ENOSPC", f"the registry holds {MAX_NAMES} names already")
        if old is not None and self._live(old):
            self.gate_of().cap_delete(old.slot)
        slot = caller.caps[0]
        info = self.gate_of().cap_info(slot)
        self.entries[request.name] = Entry(caller.badge, slot, (info.kind, info.object,
                                                                info.rights))
        return p.Version(self._changed(request.name))

    def do_lookup(self, request: p.Lookup, caller: Caller) -> p.Found:
        entry = self.entries.get(request.name)
        if entry is None or not self._live(entry):
            gone = " (its publisher has gone)" if entry is not None else ""
            raise ServiceError("ENOENT", f"nothing published as {request.name!r}{gone}")
        found = p.Found(self.versions[request.name])
        if caller.reply is None:
            return found
        try:
            self.answer(caller, found, (entry.slot,))
        except MissingRight:
            self.answer(caller, Failure("EPERM", "a lookup needs GRANT on your ds cap"))
        except KernelError as e:  # (CSpaceFull: no slot for the cap in the caller's CSpace)
            with contextlib.suppress(KernelError):  # (or the caller has gone)
                self.answer(caller, Failure("ENOSPC", f"the cap could not be sent: {e}"))
        return DEFER  # type: ignore[no-any-return]

    def do_unpublish(self, request: p.Unpublish, caller: Caller) -> p.Version:
        entry = self.entries.get(request.name)
        if entry is None:
            raise ServiceError("ENOENT", f"nothing published as {request.name!r}")
        if entry.owner != caller.badge:
            raise ServiceError("EPERM", f"{request.name!r} was published by another service")
        if self._live(entry):
            self.gate_of().cap_delete(entry.slot)
        del self.entries[request.name]
        return p.Version(self._changed(request.name))

    # --- subscriptions ----------------------------------------------------------------

    def _changed(self, name: str) -> int:
        """`name` changed: a new version; answer whoever watches it."""
        self.version += 1
        self.versions[name] = self.version
        waiting, self.watchers = self.watchers, []
        for w in waiting:
            if name in w.names:
                with contextlib.suppress(KernelError):  # (the watcher went away)
                    self.answer(w.caller, self._news(w.names, w.seen))
            else:
                self.watchers.append(w)
        return self.version

    def _news(self, names: list[str], seen: int) -> p.Changed:
        return p.Changed(self.version, [n for n in names if self.versions.get(n, 0) > seen])

    def do_watch(self, request: p.Watch, caller: Caller) -> p.Changed:
        if not request.names:
            raise ServiceError("EINVAL", "watch at least one name")
        for name in request.names:
            _check(name, "name")
        news = self._news(request.names, request.seen)
        if news.names or caller.reply is None:
            return news
        if len(self.watchers) >= MAX_WATCHERS:
            self.watchers = [w for w in self.watchers if self._waiting(w)]
            if len(self.watchers) >= MAX_WATCHERS:
                raise ServiceError("EAGAIN", f"{MAX_WATCHERS} watches wait already")
        self.watchers.append(Watcher(list(request.names), request.seen, caller))
        return DEFER  # type: ignore[no-any-return]

    def _waiting(self, w: Watcher) -> bool:
        """Whether the watcher's caller still waits (its Reply cap is still there)."""
        assert w.caller.reply is not None
        try:
            self.gate_of().cap_info(w.caller.reply)
        except KernelError:
            return False
        return True

    # --- the stashes --------------------------------------------------------------------

    def _stash(self, caller: Caller) -> dict[str, bytes]:
        if caller.badge == 0:
            raise ServiceError("EPERM", "an unbadged ds cap has no stash (rs badges services')")
        return self.stashes.setdefault(caller.badge, {})

    def do_stash(self, request: p.Stash, caller: Caller) -> p.Ok:
        _check(request.key, "key")
        stash = self._stash(caller)
        if len(request.data) > p.MAX_VALUE:
            raise ServiceError("E2BIG", f"{len(request.data)} bytes to stash, at most "
                               f"{p.MAX_VALUE} in one key")
        old = stash.get(request.key)
        if old is None and len(stash) >= p.MAX_KEYS:
            raise ServiceError("ENOSPC", f"{p.MAX_KEYS} keys stashed already")
        used = sum(len(k) + len(v) for k, v in stash.items())
        grown = len(request.data) - (len(old) if old is not None else -len(request.key))
        if used + grown > p.MAX_STASH:
            raise ServiceError("ENOSPC", f"the stash would hold {used + grown} bytes, at most "
                               f"{p.MAX_STASH}")
        stash[request.key] = request.data
        return p.Ok()

    def do_fetch(self, request: p.Fetch, caller: Caller) -> p.Data:
        data = self._stash(caller).get(request.key)
        if data is None:
            raise ServiceError("ENOENT", f"nothing stashed as {request.key!r}")
        return p.Data(data)

    def do_drop(self, request: p.Drop, caller: Caller) -> p.Ok:
        self._stash(caller).pop(request.key, None)
        return p.Ok()

    def do_stash_keys(self, request: p.StashKeys, caller: Caller) -> p.Names:
        return p.Names(sorted(self._stash(caller)))

    def do_prepare(self, request: Prepare, caller: Caller) -> Prepared:
        raise ServiceError("ENOTSUP", "ds holds caps and every stash in memory: it cannot "
                           "hand them over to new code")
