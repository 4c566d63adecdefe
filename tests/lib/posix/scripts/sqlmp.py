"""sqlite3 on a file and in memory; multiprocessing (which needs fork or a spawned python)."""
import sqlite3
import sys

mem = sqlite3.connect(":memory:")
mem.execute("create table t (k text, v integer)")
mem.executemany("insert into t values (?, ?)", [("a", 1), ("b", 2), ("a", 3)])
print(mem.execute("select k, sum(v) from t group by k order by k").fetchall())
what = sys.argv[1]
if what == "sqlite":
    db = sqlite3.connect("data.db")
    db.execute("create table if not exists notes (id integer primary key, text text)")
    db.executemany("insert into notes (text) values (?)", [("one",), ("two",)])
    db.commit()
    db.close()
    db = sqlite3.connect("data.db")
    print(db.execute("select * from notes").fetchall())
    db.close()
elif what == "mp":
    import multiprocessing

    with multiprocessing.Pool(2) as pool:
        print(pool.map(abs, [-1, -2, 3]))
elif what == "mpprocess":
    import multiprocessing

    p = multiprocessing.Process(target=print, args=("in child",))
    p.start()
    p.join()
    print("exit code", p.exitcode)
