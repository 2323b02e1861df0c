"""The unsubscribe page every feedback email links to: the signed token in the link says
who and from which workspace, so no sign-in is needed."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .. import services


# Mail clients' one-click unsubscribe (RFC 8058) POSTs without a CSRF token; the signed
# token in the URL is the proof, and the only effect is fewer emails.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        workspace_id, email = services.unsubscribe_token_read(token)
    except ValidationError:
        return render(request, "feedback/unsubscribe.html", {"invalid": True}, status=404)
    done = False
    if request.method == "POST":
        services.email_unsubscribe(token=token)
        done = True
    return render(request, "feedback/unsubscribe.html", {"email": email, "done": done})
