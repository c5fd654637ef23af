# An error callback that raises kills the pool's result handler. The program then does what the
# tutorials say to do at the end, close() and join(), and join() never returns: the pool waits
# for a result the dead handler will never deliver. In plain Python this program never ends.
from multiprocessing.pool import ThreadPool


def download(url):
    raise TimeoutError("%s did not answer" % url)


def log_failure(e):
    print("failed:", e)
    raise RuntimeError("the log file is not writable")


if __name__ == "__main__":
    pool = ThreadPool(2)
    pool.apply_async(download, ("https://example.com",), error_callback=log_failure)
    pool.close()
    pool.join()
    print("all done")
