# ruff: noqa: E501  (an ordinary script, as people write them)
"""time: sleep, clocks, struct_time, strftime/strptime, timeit; a progress bar with \\r and flush."""
import sys
import time
import timeit

t0, m0, p0 = time.time(), time.monotonic(), time.perf_counter()
time.sleep(0.05)
print(0.04 < time.monotonic() - m0 < 5, 0.04 < time.perf_counter() - p0 < 5, time.time() - t0 > 0.04)
print(time.time_ns() // 10**9 - int(time.time()) in (0, 1), time.process_time() >= 0, time.thread_time() >= 0)
st = time.gmtime(86400 * 365)
print(st.tm_year, st.tm_yday, time.strftime("%Y-%m-%d %H:%M:%S", st), time.asctime(st))
print(time.strptime("2021-03-04", "%Y-%m-%d")[:3], time.mktime(time.localtime(1e9)) == 1e9)
print(time.localtime().tm_year >= 2024, time.ctime(0) != "", time.get_clock_info("monotonic").monotonic)
print(timeit.timeit("sum(range(100))", number=100) < 5)
for i in range(5):
    sys.stdout.write(f"\rprogress {i * 25}%")
    sys.stdout.flush()
    time.sleep(0.001)
print()
start = time.monotonic()
deadline = start + 0.1
n = 0
while time.monotonic() < deadline:
    n += 1
print(n > 0, time.monotonic() - start < 5)
