"""gunicorn settings read from the working directory by `scripts/run.sh`, the Docker image
and the bench. Command-line flags (bind, workers) still take precedence."""

import gc

# Garbage collection runs between requests, after each response has gone out (`post_request`),
# so no request waits for the garbage of the ones before it. Left to its allocation counter,
# the youngest generation grew to its threshold over ~30 requests and then held one request up
# for 60-130 ms (a big page's row dicts and template contexts); collected after every request it
# takes about 1 ms, which no client waits for. The threshold stays as a safety net for a single
# request that makes a great deal of garbage (an import, an export).
YOUNG_THRESHOLD = 50_000
OLDER_EVERY = 50  # requests between collections of the middle generation
FULL_EVERY = 2_000  # requests between full collections (the long-lived objects are frozen)


def post_worker_init(worker) -> None:
    from roadmap.warmup import warm_up

    warm_up()  # compiled templates, URL patterns, connections: loaded before the first request
    # Big pages allocate many objects; without this, full garbage collections walking the
    # long-lived ones (models, templates, URL patterns) add ~70 ms pauses to random requests.
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, 20, 20)


def post_request(worker, req, environ, resp) -> None:
    served = getattr(worker, "nr", 0)
    if served % FULL_EVERY == 0:
        gc.collect()
    elif served % OLDER_EVERY == 0:
        gc.collect(1)
    else:
        gc.collect(0)
