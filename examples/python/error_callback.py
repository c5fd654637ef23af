# map_async() with an error_callback, as the tutorials show it: when several tasks fail, the
# error callback is called once, with the first error to arrive, and only after every task has
# finished; the other errors are never seen by anyone. get() raises that same first error.
from multiprocessing import Pool


def parse(line):
    if not line.isdigit():
        raise ValueError("not a number: %r" % line)
    return int(line)


def on_error(e):
    print("error_callback got:", e)


if __name__ == "__main__":
    lines = ["1", "two", "3", "four", "5", "six"]
    with Pool(2) as pool:
        result = pool.map_async(parse, lines, chunksize=1, error_callback=on_error)
        try:
            print(result.get())
        except ValueError as e:
            print("get() raised:", e)
