"""tmpfs: a file system in memory (server.py: the handlers; inode.py: its state)."""
