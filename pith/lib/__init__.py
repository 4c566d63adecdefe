"""The library user space links: syscalls, the server framework, the posix layer.

Nothing here is trusted by the kernel. It grows with later issues.
"""
