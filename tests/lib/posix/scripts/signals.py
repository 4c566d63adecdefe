# ruff: noqa: E501  (an ordinary script, as people write them)
"""Signals: handlers for SIGUSR1/SIGTERM sent to oneself, SIGALRM by alarm and setitimer, atexit."""
import atexit
import os
import signal
import sys
import time

got = []


def handler(signo, frame):
    got.append(signal.Signals(signo).name)


signal.signal(signal.SIGUSR1, handler)
os.kill(os.getpid(), signal.SIGUSR1)
print("after kill", got)
signal.signal(signal.SIGTERM, handler)
signal.raise_signal(signal.SIGTERM)
print(got, signal.getsignal(signal.SIGUSR1) is handler, signal.getsignal(signal.SIGINT) is signal.default_int_handler)
signal.signal(signal.SIGALRM, handler)
signal.alarm(1)
deadline = time.monotonic() + 10
while "SIGALRM" not in got and time.monotonic() < deadline:
    time.sleep(0.01)
print("alarm", got[-1])
signal.setitimer(signal.ITIMER_REAL, 0.05)
deadline = time.monotonic() + 10
while got.count("SIGALRM") < 2 and time.monotonic() < deadline:
    time.sleep(0.01)
print("itimer", got.count("SIGALRM"))


class Timeout(Exception):
    pass


def too_slow(signo, frame):
    raise Timeout


signal.signal(signal.SIGALRM, too_slow)
signal.setitimer(signal.ITIMER_REAL, 0.05)
try:
    time.sleep(5)
except Timeout:
    print("timed out")
signal.signal(signal.SIGUSR2, signal.SIG_IGN)
os.kill(os.getpid(), signal.SIGUSR2)
print("ignored", signal.strsignal(signal.SIGUSR2), signal.SIGUSR2 in signal.valid_signals())
atexit.register(print, "atexit second")
atexit.register(lambda: print("atexit first", file=sys.stderr))
try:
    os.kill(os.getpid(), signal.SIGINT)
    time.sleep(1)
except KeyboardInterrupt:
    print("KeyboardInterrupt caught")
signal.signal(signal.SIGTERM, signal.SIG_DFL)
print("dying by SIGTERM", flush=True)
os.kill(os.getpid(), signal.SIGTERM)
print("not reached")
