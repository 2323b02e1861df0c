"""The settings the bench serves Waymark with: the production settings (roadmap.settings.base,
read from the environment that bench.configure sets), except that collected static files go
to a throwaway folder (BENCH_STATIC_ROOT), so a bench run never rewrites the project's staticfiles/."""

from roadmap.settings.base import *  # noqa: F403
from roadmap.settings.base import STATIC_ROOT, env

STATIC_ROOT = env.str("BENCH_STATIC_ROOT", default=str(STATIC_ROOT))
