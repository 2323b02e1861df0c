from django.conf import settings


def axes_username(request, credentials) -> str | None:
    """The address a failed sign-in was for, lower-cased so that `Ada@x.com` and
    `ada@x.com` count against the same limit (django-axes' AXES_USERNAME_CALLABLE)."""
    source = credentials if credentials else getattr(request, "POST", {})
    username = source.get("username")
    return username.strip().lower() if username else None


def client_ip(request) -> str | None:
    """The address a sign-in came from (django-axes' AXES_CLIENT_IP_CALLABLE).

    Behind `PROXY_COUNT` trusted proxies, each appends the address it saw to
    X-Forwarded-For, so the client is the entry that many places from the right;
    anything further left was written by the client and cannot be trusted."""
    proxies = settings.PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR")
