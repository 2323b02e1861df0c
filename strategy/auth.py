def axes_username(request, credentials) -> str | None:
    """The address a failed sign-in was for, lower-cased so that `Ada@x.com` and
    `ada@x.com` count against the same limit (django-axes' AXES_USERNAME_CALLABLE)."""
    source = credentials if credentials else getattr(request, "POST", {})
    username = source.get("username")
    return username.strip().lower() if username else None
