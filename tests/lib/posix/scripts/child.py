"""The child procs.py starts: exit N, echo TEXT, block (until killed), interrupt."""
import os
import sys
import threading

what = sys.argv[1]
if what == "exit":
    sys.exit(int(sys.argv[2]))
if what == "echo":
    print(" ".join(sys.argv[2:]))
if what == "block":
    os.write(1, b"ready\n")
    os.read(0, 1)  # blocks: nobody writes
if what == "interrupt":
    print("interrupting", flush=True)
    raise KeyboardInterrupt
if what == "threads":
    def work(n):
        with open(f"thread-{n}.txt", "w") as f:
            f.write(str(n) * 1000)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(sorted(os.path.getsize(f"thread-{n}.txt") for n in range(4)))
