# A process Pool whose initializer fails: each worker dies and is replaced, for ever; no task runs,
# so map() never returns and plain Python never ends. (chunksize given: without it map() divides
# by the number of live workers, and CPython raises ZeroDivisionError when all are between lives.)
from multiprocessing import Pool


def connect():
    raise ConnectionRefusedError("database on port 5432 refused the connection")


def query(n):
    return n


if __name__ == "__main__":
    with Pool(2, initializer=connect) as pool:
        print(pool.map(query, range(4), chunksize=1))
