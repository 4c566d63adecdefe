"""sh, Pith's POSIX-style shell, as a package: lexer → parser (nodes) → expand → run.

No fork anywhere: programs start with posix_spawn, and whatever must run in another
shell process (subshells, `$(...)`, builtins in pipelines) starts a new shell with the
state passed in PITH_SH_STATE (state.py). The command is pith/bin/sh.py; main.main is
its entry point.
"""
