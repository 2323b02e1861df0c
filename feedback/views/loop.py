"""The unsubscribe page every feedback email links to: the signed token in the link says
who and from which workspace, so no sign-in is needed."""

from strategy.unsubscribe import unsubscribe_view

from .. import services


def _read(token: str) -> dict:
    _workspace_id, email = services.unsubscribe_token_read(token)
    return {"email": email}


unsubscribe = unsubscribe_view(read=_read, apply=lambda token: services.email_unsubscribe(token=token),
                               template="feedback/unsubscribe.html")
