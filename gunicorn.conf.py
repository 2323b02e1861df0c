"""gunicorn settings read from the working directory by `scripts/run.sh`, the Docker image
and the bench. Command-line flags (bind, workers) still take precedence."""

import gc


def post_worker_init(worker) -> None:
    # Big pages allocate many objects; without this, full garbage collections walking the
    # long-lived ones (models, templates, URL patterns) add ~70 ms pauses to random requests.
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
