"""Writes 20 MiB to stdout as fast as it can."""
import sys

chunk = b"x" * 65535 + b"\n"
for _ in range(320):
    sys.stdout.buffer.write(chunk)
