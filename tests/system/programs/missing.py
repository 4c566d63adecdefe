"""Reads a file that does not exist, and does not catch the error."""
with open("/no/such/file") as f:
    print(f.read())
