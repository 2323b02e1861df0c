"""Test overrides only; everything else is base.py against the real PostgreSQL and Redis."""

from .base import *  # noqa: F403
from .base import CACHES

# Tests speak plain HTTP to the test client whatever an operator's .env says.
DEBUG = False
SITE_URL = "http://testserver"
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
PROXY_COUNT = 0
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tasks run in-process by default; the real-worker tests switch this off.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CACHES["default"]["KEY_PREFIX"] = "waymark-test"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# A Redis database of its own, so a worker started by `make run` on the same machine
# never picks up the tests' tasks.
REDIS_URL = env.str("TEST_REDIS_URL", default="redis://127.0.0.1:6379/9")  # noqa: F405
CACHES["default"]["LOCATION"] = REDIS_URL
CELERY_BROKER_URL = CELERY_RESULT_BACKEND = REDIS_URL

# The demo's usage events: a sliver is enough for the seeding tests (tests/roadmap/test_demo_usage.py
# checks the full shape of one product).
DEMO_USAGE_SCALE = 0.05
