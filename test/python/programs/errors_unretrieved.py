# Futures whose tasks fail and nobody looks: submit() hands the exception to the future, and a
# future whose result() or exception() is never called keeps it to itself. The program prints
# "finished" and exits 0 with two failures nobody saw.
from concurrent.futures import ThreadPoolExecutor


def resize(name):
    if name.endswith(".gif"):
        raise ValueError("cannot resize %s" % name)
    return name


if __name__ == "__main__":
    with ThreadPoolExecutor(max_workers=2) as executor:
        for name in ["a.png", "b.gif", "c.jpg", "d.gif"]:
            executor.submit(resize, name)
    print("finished")
