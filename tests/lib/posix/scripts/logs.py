# ruff: noqa: B018, SIM115  (an ordinary script, as people write them)
"""logging: basicConfig to stderr, a file handler, levels, formatters, exceptions."""
import logging
import sys

logging.basicConfig(level=logging.INFO, format="%(levelname)s:%(name)s:%(message)s")
log = logging.getLogger("app")
log.debug("hidden")
log.info("starting %s", "work")
log.warning("careful: %d", 3)
file_handler = logging.FileHandler("app.log", mode="w")
file_handler.setFormatter(logging.Formatter("[%(levelname)s] %(name)s %(message)s"))
file_handler.setLevel(logging.DEBUG)
sub = logging.getLogger("app.db")
sub.setLevel(logging.DEBUG)
sub.addHandler(file_handler)
sub.debug("connect %s", "db")
sub.error("failed")
try:
    1 / 0
except ZeroDivisionError:
    sub.exception("division")
file_handler.close()
out = logging.StreamHandler(sys.stdout)
out.setFormatter(logging.Formatter("OUT %(message)s"))
logging.getLogger("report").addHandler(out)
logging.getLogger("report").warning("to stdout")
logging.shutdown()
with open("app.log") as f:
    lines = f.read().splitlines()
print(len(lines), lines[:3], lines[3])
print(lines[-1])
logging.basicConfig(filename="second.log", force=True, format="%(message)s")
logging.error("into a file")
logging.shutdown()
print(open("second.log").read(), end="")
logging.critical("done")
