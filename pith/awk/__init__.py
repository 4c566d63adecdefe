"""awk: Pith's POSIX awk (pith/bin/awk.py runs it; the code is this package).

lexer.py (tokens), nodes.py (the syntax tree), parser.py (tokens to tree), values.py (numbers,
strings and strnums), regex.py (POSIX ERE to Python's re), fields.py (records and fields),
streams.py (files and pipes), format.py (printf), interp.py (running the tree), builtins.py
(the built-in functions) and main.py (the command line).
"""
