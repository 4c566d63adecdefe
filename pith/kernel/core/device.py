"""Devices: host resources (the disk image, the terminal, a TAP device) as objects.

The host opens each device at boot and the root process gets the first
capability; it hands a derived copy to exactly one driver. DeviceOpen gives the
driver the fd (a `Handle` result). The device's interrupt is the readiness of
its fd: DeviceIrq binds it to a notification and arms it; the next DeviceReady
event from the host signals that notification's bits, and the interrupt stays
masked until the driver acknowledges it by calling DeviceIrq again (so a
device that stays ready does not flood the kernel).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pith.kernel.core.actions import Done, Handle, ReleaseDevice, WatchDevice
from pith.kernel.core.kobject import KernelObject
from pith.kernel.core.notification import Notification, check_bits, signal
from pith.kernel.core.rights import READ, WRITE
from pith.kernel.core.syscalls import DeviceIrq, DeviceOpen

if TYPE_CHECKING:
    from pith.kernel.core.kernel import Kernel
    from pith.kernel.core.thread import Thread

__all__ = ["Device", "device_ready", "do_device_irq", "do_device_open"]


class Device(KernelObject):
    __slots__ = ("irq", "name")
    kind = "device"

    def __init__(self, oid: int, name: str) -> None:
        super().__init__(oid)
        self.name = name
        self.irq: tuple[Notification, int] | None = None

    def destroy(self, k: Kernel) -> None:
        if self.irq is not None:
            k.out.append(WatchDevice(self.oid, False))
        k.out.append(ReleaseDevice(self.oid))

    def describe(self) -> tuple[object, ...]:
        irq = self.irq and (self.irq[0].oid, self.irq[1])
        return (self.oid, self.kind, self.ncaps, self.name, irq)


def do_device_open(k: Kernel, t: Thread, c: DeviceOpen) -> None:
    cap = k.lookup(t, c.slot, Device, READ | (WRITE if c.writable else 0))
    k.resume(t, Handle("device", cap.obj.oid, c.writable, 0))


def do_device_irq(k: Kernel, t: Thread, c: DeviceIrq) -> None:
    dev = k.lookup(t, c.slot, Device, READ).obj
    assert isinstance(dev, Device)
    if c.notification is None:
        if dev.irq is not None:
            k.out.append(WatchDevice(dev.oid, False))
        dev.irq = None
    else:
        n = k.lookup(t, c.notification, Notification, WRITE).obj
        assert isinstance(n, Notification)
        bits = check_bits(c.bits)
        k.out.append(WatchDevice(dev.oid, True))  # (re-)arm: one interrupt per DeviceIrq
        dev.irq = (n, bits)
    k.resume(t, Done())


def device_ready(k: Kernel, device: int) -> None:
    """The host saw device `device` ready: signal its interrupt notification."""
    dev = k.objects.get(device)
    if isinstance(dev, Device) and dev.irq is not None and dev.irq[0].ncaps:
        signal(k, *dev.irq)
