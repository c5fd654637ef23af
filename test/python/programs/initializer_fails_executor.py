# A ThreadPoolExecutor whose initializer fails (a database that is not there): the executor
# logs "Exception in initializer:", breaks, and every future fails with BrokenThreadPool.
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures.thread import BrokenThreadPool


def connect():
    raise ConnectionRefusedError("database on port 5432 refused the connection")


def query(n):
    return n


if __name__ == "__main__":
    with ThreadPoolExecutor(max_workers=2, initializer=connect) as executor:
        future = executor.submit(query, 1)
        try:
            future.result()
        except BrokenThreadPool as e:
            print("result() raised:", e)
