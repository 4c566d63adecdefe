"""User programs: what `pith boot --command` (and later the shell) runs."""
