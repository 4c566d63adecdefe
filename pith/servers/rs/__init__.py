"""rs, the reincarnation server: the root process that starts the system (main.py).

It creates one endpoint
per name the manifest's servers provide (it keeps the originals, so the
endpoints outlive the servers), starts the servers in dependency order,
giving each only the caps the manifest names (READ on what it provides,
WRITE|GRANT on what it uses, its devices; a server marked `optional` whose
devices this boot lacks is left out, and who uses what it provides gets no
cap for it: eth on a boot without --net), runs the command, waits for it to
die, stops the servers in reverse order (a `Stop` request on the first endpoint
each provides, so file systems flush; then kill) and exits with the command's
status.

Meanwhile it supervises: every service's death is a bit of one notification;
a service that dies is restarted on the same endpoints (clients keep their
caps), as its manifest `restart` policy says (OTP's permanent, transient,
temporary; one_for_one), unless it died more than `intensity` times in
`period` seconds (OTP's defaults: 1 in 5 s), when rs gives up on it and says
so on the console. The first restart in a period is at once; a repeated one
waits a back-off, doubling from 10 ms up to 2 s, as MINIX 3's rs does. A
service with a `heartbeat` period is pinged that often; one that does not
answer within its `heartbeat_timeout` is hung, and is killed (and so restarted).
With `strategy = "rest_for_one"` the servers started after the one that died are
restarted with it, in order.
Every service starts with a last argument `start=fresh|restart|update` (the
framework's `start_reason`), and its `ds` cap, if it uses ds, is minted with its
own badge, 1 + its index in the manifest, the same across restarts: ds keys the
service's stash by it. `service update NAME [--code PROGRAM]` (`Update`) is a live
update: rs asks the server to `Prepare` (save its state into ds, flush, stop
receiving: requests that arrive wait in the endpoint's queue), ends it, starts the
new program (or the same one, the code on disk) on the same endpoints with start
reason "update", and waits for it to answer a Ping within PROBATION seconds; if it
does not, rs ends it and starts the old program again (reason "update": it restores
the same saved state) and the update fails with ENOEXEC. On success the new
program replaces the manifest's in rs's table.
`InjectFault(name, kind)` on "rs", from the command rs runs (badge COMMAND_BADGE) only,
is `pith inject`'s way into a server: rs forwards `Inject(kind)` on the service's endpoint
with a cap it mints with INJECT_BADGE, the one badge servers take a fault from.

Arguments: its caps table (from the kernel), the manifest (checked, as JSON), then the
command's words. A command word NAME runs the program `pith.programs.NAME:main`.

Files: main.py (start, session, stop), supervisor.py (restart policy, heartbeats),
session.py (the command or init), commands.py (its endpoint's handlers), spawn.py
(starting and ending processes). Its protocol: pith/protocols/rs.py.
"""
