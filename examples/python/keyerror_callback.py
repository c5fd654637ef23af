# A result callback that raises KeyError: multiprocessing's result handler catches KeyError
# around the callback and passes, so nothing is printed and the handler lives on, but this
# result never becomes ready. get() waits for ever. The one throwing callback that leaves no
# trace at all in plain Python; poolscope shows it and ends the run with a deadlock.
from multiprocessing.pool import ThreadPool

PRICES = {"apple": 3, "pear": 4}
totals = {}


def order(item):
    return item


def add_price(item):
    totals[item] = PRICES[item]  # "plum" has no price: KeyError


if __name__ == "__main__":
    pool = ThreadPool(2)
    first = pool.apply_async(order, ("apple",), callback=add_price)
    print("apple:", first.get())
    second = pool.apply_async(order, ("plum",), callback=add_price)
    print("plum:", second.get())
    pool.close()
    pool.join()
