"""`python -m pith` is the `pith` command."""

from pith.cli import app

app()
