"""The MINIX v3 file system: on-disk layout, buffer cache and file operations."""
