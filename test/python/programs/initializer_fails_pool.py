# A process Pool whose initializer fails: each worker dies at once and the Pool starts a new
# one, which fails again, for ever. No task ever runs, so map() never returns: in plain Python
# this program never ends, and the machine stays busy respawning workers.
from multiprocessing import Pool


def connect():
    raise ConnectionRefusedError("database on port 5432 refused the connection")


def query(n):
    return n


if __name__ == "__main__":
    with Pool(2, initializer=connect) as pool:
        print(pool.map(query, range(4)))
