"""Test-wide setup: Hypothesis profiles, and the default disk image.

Every `pith boot` without --image uses $PITH_IMAGE: here, an image of this test
run's own (made on first use, removed at the end), never the user's default disk.

Profiles: `ci` (the default, what `make test` runs), `soak` (`make soak`: long
runs of the kernel core state machines), `dev` (Hypothesis defaults, for quick
local iteration). Pick one with the HYPOTHESIS_PROFILE environment variable.
"""

import atexit
import os
import shutil
import tempfile

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=200,
    deadline=None,
    stateful_step_count=50,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "soak",
    max_examples=20_000,
    deadline=None,
    stateful_step_count=100,
)
settings.register_profile("dev")
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

_images = tempfile.mkdtemp(prefix="pith-test-images-")
atexit.register(shutil.rmtree, _images, True)
os.environ["PITH_IMAGE"] = os.path.join(_images, "default.img")
