from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from .. import services


class PersonalTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <token>` with a personal token from the account page."""

    keywords = ("bearer", "token")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0].lower() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Send the header as: Authorization: Bearer <token>."))
        token = services.api_token_authenticate(header[1])
        if token is None:
            raise exceptions.AuthenticationFailed(_("This token is not valid or has been revoked."))
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class PersonalTokenScheme(OpenApiAuthenticationExtension):
    target_class = PersonalTokenAuthentication
    name = "personalToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal token created on your account page.",
        }
