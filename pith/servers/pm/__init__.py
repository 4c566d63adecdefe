"""pm, the process manager: user processes, their exit, wait, signals and groups."""
