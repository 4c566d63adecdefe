"""The trusted kernel: the one part of Pith that must be correct.

- `pith.kernel.core` is a pure state machine (sans I/O): events in, actions out.
- `pith.kernel.host` is the only code that talks to Linux: event loop, sandbox,
  spawning, fd passing.

CI fails when this package passes 2,000 code lines (see `pith.tools.kernel_size`).
"""
