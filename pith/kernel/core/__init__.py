"""The kernel core: capabilities, IPC and process lifecycle as a pure state machine.

Nothing here does I/O. The host (`pith.kernel.host`) feeds `Kernel` events and
carries out the actions it returns. One kernel object per module:
cspace (capabilities and the derivation tree), thread, process, endpoint,
reply, notification, memory, device, control; syscalls, events and actions
are the typed records that go in and come out; errors names every refusal.
"""

from pith.kernel.core.kernel import BootInfo, Kernel

__all__ = ["BootInfo", "Kernel"]
