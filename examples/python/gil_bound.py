# CPU-bound work on a ThreadPoolExecutor, the classic mistake the concurrency tutorials time:
# four threads take turns on one core because only one thread runs Python code at a time (the
# GIL), so they finish no sooner than one thread would. poolscope measures each task's CPU time
# on its own thread and reports gil-bound with the parallelism it really got.
import concurrent.futures


def count_primes(limit):
    found = 0
    for n in range(2, limit):
        for d in range(2, int(n ** 0.5) + 1):
            if n % d == 0:
                break
        else:
            found += 1
    return found


if __name__ == "__main__":
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as executor:
        counts = list(executor.map(count_primes, [60000] * 8))
    print("primes below 60000:", counts[0], "(counted 8 times)")
