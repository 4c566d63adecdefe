"""Device drivers (blk, tty, eth …): user-space servers that each hold one Device cap."""
