"""A small fault-injection campaign: the system survives and loses nothing."""

from __future__ import annotations

from pith.tools.inject import campaign
from tests.kernel.host.conftest import no_leaks  # noqa: F401  (the leak check)


def test_crashes_and_hangs_of_blk_and_vfs_are_survived() -> None:
    report = campaign(faults=6, kinds=("crash", "hang"), targets=("blk", "vfs"), seed=3)
    assert report["injected"] == 6
    assert report["detected"] == 6 and report["recovered"] == 6
    assert report["survived"] is True
    assert report["lost"] == 0
    assert report["fsck_clean"] is True
