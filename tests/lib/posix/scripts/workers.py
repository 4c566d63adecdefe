# ruff: noqa: E501, SIM115  (an ordinary script, as people write them)
"""Threads: a queue of work for worker threads, locks, events, a pool of futures, a timer."""
import concurrent.futures
import hashlib
import queue
import threading
import time

jobs, results = queue.Queue(), queue.Queue()
lock = threading.Lock()
counter = 0


def worker():
    global counter
    while (item := jobs.get()) is not None:
        with open(f"w{item}.txt", "w") as f:
            f.write(str(item) * 1000)
        with lock:
            counter += 1
        results.put((item, hashlib.md5(open(f"w{item}.txt", "rb").read()).hexdigest()[:6]))
        jobs.task_done()
    jobs.task_done()


threads = [threading.Thread(target=worker, name=f"w{i}") for i in range(4)]
for t in threads:
    t.start()
for i in range(20):
    jobs.put(i)
for _ in threads:
    jobs.put(None)
jobs.join()
for t in threads:
    t.join()
print(counter, sorted(results.get() for _ in range(results.qsize()))[:3])
with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
    print(list(pool.map(lambda n: sum(range(n)), [10, 100, 1000])))
    futures = {pool.submit(open(f"w{i}.txt").read): i for i in range(5)}
    print(sorted((futures[f], len(f.result())) for f in concurrent.futures.as_completed(futures)))
    bad = pool.submit(open, "missing.txt")
    print(type(bad.exception()).__name__)
ready = threading.Event()
seen = []
threading.Timer(0.05, lambda: (seen.append("timer"), ready.set())).start()
print(ready.wait(10), seen)
cond = threading.Condition()
box = []


def producer():
    time.sleep(0.01)
    with cond:
        box.append("made")
        cond.notify()


threading.Thread(target=producer).start()
with cond:
    print(cond.wait_for(lambda: box, timeout=10), box)
done = []
threading.Thread(target=lambda: (time.sleep(0.05), done.append(1), print("late thread ends")), daemon=False).start()
print("main ends", threading.active_count() >= 1)
