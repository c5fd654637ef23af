# A result callback that raises, in the style of the apply_async tutorials. The exception kills
# the pool's result-handler thread: this result never becomes ready, so result.get() waits for
# ever, and so would close() + join(). Untraced, this program never ends; poolscope ends it
# with a deadlock finding at the get() and a callback-threw finding at save_user.
import time
from multiprocessing.pool import ThreadPool


def fetch_user(user_id):
    time.sleep(0.05)
    return {"id": user_id, "name": "user%d" % user_id}


def save_user(user):
    print("saving", user["name"])
    raise ConnectionError("the database is down")


if __name__ == "__main__":
    pool = ThreadPool(2)
    result = pool.apply_async(fetch_user, (1,), callback=save_user)
    print("fetched:", result.get())
    pool.close()
    pool.join()
