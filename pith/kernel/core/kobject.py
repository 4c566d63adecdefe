"""The base of every kernel object.

Invariant: `ncaps` is the number of capabilities, in any CSpace, that name the
object. When it falls to 0 the kernel destroys the object (`Kernel.destroy`).
Endpoints that must outlive a server's restart do so because the supervisor
keeps the original capability, so no exception to this rule is needed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from pith.kernel.core.kernel import Kernel

__all__ = ["KernelObject"]


class KernelObject:
    """Anything a capability can name. `oid` is never reused."""

    __slots__ = ("ncaps", "oid")
    kind: ClassVar[str] = "object"

    def __init__(self, oid: int) -> None:
        self.oid = oid
        self.ncaps = 0

    def destroy(self, k: Kernel) -> None:
        """The last cap is gone: end what waits on the object, free host resources."""

    def describe(self) -> tuple[object, ...]:
        """The object's whole state as a comparable value (for snapshots)."""
        return (self.oid, self.kind, self.ncaps)
