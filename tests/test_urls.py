"""Every page and API route is named within its app's namespace, so that two apps can use
the same short name (releases' comment_create and, later, the ideas' comments)."""

from django.urls import URLPattern, URLResolver, get_resolver

# Django's own views reverse these names themselves, without a namespace.
DJANGO_NAMES = {
    "login", "logout", "password_change", "password_change_done", "password_reset", "password_reset_done",
    "password_reset_confirm", "password_reset_complete",
}
OUR_NAMESPACES = {"strategy", "releases", "feedback", "portal", "roadmap", "strategy-api", "releases-api",
                  "feedback-api", "roadmap-api"}


def named_routes(patterns, namespace=None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            yield from named_routes(entry.url_patterns, entry.namespace or namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield namespace, entry.name


def test_every_named_route_of_ours_sits_in_its_apps_namespace():
    routes = list(named_routes(get_resolver().url_patterns))
    outside = sorted(name for namespace, name in routes if namespace is None and name not in DJANGO_NAMES)

    assert outside == []
    assert {namespace for namespace, _name in routes if namespace} == OUR_NAMESPACES


def test_the_same_short_name_can_live_in_two_apps_without_clashing():
    # Pages only: DRF's routers name each API route twice (with and without a format suffix).
    routes = [route for route in named_routes(get_resolver().url_patterns)
              if route[0] in {"strategy", "releases", "feedback", "portal", "roadmap"}]

    assert ("releases", "comment_create") in routes
    assert len(routes) == len(set(routes))
