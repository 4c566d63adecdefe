"""Exits with the status given as its argument (or 7)."""
import sys

print("exiting")
sys.exit(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
