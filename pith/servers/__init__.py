"""User-space servers (rs, ds, pm, vfs, mfs …), each an ordinary sandboxed process."""
