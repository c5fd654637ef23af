# concurrent.futures as the standard library's documentation teaches it: submit() each URL,
# take results with as_completed(), then wait() for a second batch with a done callback, and
# executor.map(). The network is simulated. What the lanes show: results come back in the order
# they finish, not the order submitted, and a ThreadPoolExecutor runs each done callback in the
# worker thread that finished the task (drawn on that worker's lane).
import concurrent.futures
import threading
import time

URLS = {"http://www.foxnews.com/": 0.3, "http://www.cnn.com/": 0.1, "http://europe.wsj.com/": 0.2, "http://www.bbc.co.uk/": 0.05}


def load_url(url, timeout):
    time.sleep(URLS[url])
    return b"x" * int(URLS[url] * 10000)


def report(future):
    print("done callback in", threading.current_thread().name, "got", len(future.result()), "bytes")


if __name__ == "__main__":
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as executor:
        future_to_url = {executor.submit(load_url, url, 60): url for url in URLS}
        for future in concurrent.futures.as_completed(future_to_url):
            url = future_to_url[future]
            data = future.result()
            print("%r page is %d bytes" % (url, len(data)))

        batch = [executor.submit(load_url, url, 60) for url in URLS]
        for f in batch:
            f.add_done_callback(report)
        done, not_done = concurrent.futures.wait(batch, return_when=concurrent.futures.ALL_COMPLETED)
        print("wait():", len(done), "done,", len(not_done), "not done")

        for url, data in zip(URLS, executor.map(load_url, URLS, [60] * len(URLS))):
            print("map:", url, len(data))
