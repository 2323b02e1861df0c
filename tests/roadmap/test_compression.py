"""Which responses are gzip-compressed (roadmap/compression.py): member pages without a query
string and public share links; never a page that echoes what its address says next to
something worth guessing (BREACH), a password-protected share, a form, the portal or a POST."""

import gzip

import pytest
from django.urls import reverse

from roadmap import services
from roadmap.compression import allow_compression, compressible
from roadmap.models import ShareLink
from tests.feedback import portal_data

pytestmark = pytest.mark.django_db

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


def timeline_url(product):
    return reverse("roadmap:product_timeline", args=[product.workspace.slug, product.key])


def is_gzipped(response) -> bool:
    return response.get("Content-Encoding") == "gzip"


def test_a_member_page_without_a_query_string_is_compressed(client_as_viewer, product):
    response = client_as_viewer.get(timeline_url(product), **GZIP)

    assert response.status_code == 200 and is_gzipped(response)
    assert "Accept-Encoding" in response["Vary"]
    html = gzip.decompress(response.content).decode()
    assert "<html" in html and product.name in html
    # The same page without Accept-Encoding is sent as it is.
    assert not is_gzipped(client_as_viewer.get(timeline_url(product)))


def test_a_member_page_that_echoes_its_query_string_is_not(client_as_viewer, product):
    response = client_as_viewer.get(timeline_url(product) + "?since=2026-01-01&zoom=weeks", **GZIP)

    assert response.status_code == 200 and not is_gzipped(response)
    assert b"2026-01-01" in response.content


def test_sign_in_page_and_posts_are_not_compressed(client, client_as_editor, product):
    assert not is_gzipped(client.get(reverse("login"), **GZIP))
    posted = client_as_editor.post(reverse("roadmap:share_link_list", args=[product.workspace.slug, product.key]),
                                   {"view": "timeline"}, **GZIP)
    assert not is_gzipped(posted)


def test_a_share_link_without_a_password_is_compressed_whatever_its_address(client, editor, product):
    _link, token = services.share_link_create(actor=editor, product=product, view=ShareLink.View.TIMELINE)
    url = reverse("roadmap:shared_view", args=[token])

    for response in (client.get(url, **GZIP), client.get(url + "?since=2026-01-01", **GZIP)):
        assert response.status_code == 200 and is_gzipped(response)
        assert product.name in gzip.decompress(response.content).decode()


def test_a_password_protected_share_link_is_never_compressed(client, editor, product):
    _link, token = services.share_link_create(actor=editor, product=product, view=ShareLink.View.TIMELINE,
                                              password="open sesame")
    url = reverse("roadmap:shared_view", args=[token])

    form = client.get(url, **GZIP)
    assert b'type="password"' in form.content and not is_gzipped(form)
    assert client.post(url, {"password": "open sesame"}).status_code == 302
    unlocked = client.get(url, **GZIP)
    assert unlocked.status_code == 200 and product.name.encode() in unlocked.content and not is_gzipped(unlocked)


def test_the_public_portal_is_not_compressed(client, product):
    portal_data.open_portal(product, title="Mobile App ideas")
    response = client.get(reverse("portal:home", args=[product.workspace.slug, product.key]), **GZIP)

    assert response.status_code == 200 and not is_gzipped(response)


def test_only_marked_responses_and_member_pages_are_compressible(rf, viewer):
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse, JsonResponse

    request = rf.get("/anything/")
    request.user = AnonymousUser()
    assert not compressible(request, HttpResponse("<html>"))
    assert compressible(request, allow_compression(HttpResponse("<html>")))
    request.user = viewer
    assert compressible(request, HttpResponse("<html>"))
    assert not compressible(request, JsonResponse({"a": 1}))  # the API is not a page
    post = rf.post("/anything/")
    post.user = viewer
    assert not compressible(post, HttpResponse("<html>"))


def test_static_files_are_served_compressed_with_far_future_caching(tmp_path, settings):
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.core.management import call_command
    from django.test import Client

    settings.STATIC_ROOT = str(tmp_path)
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}
    call_command("collectstatic", interactive=False, verbosity=0)
    hashed = staticfiles_storage.url("css/share.css")
    assert hashed != "/static/css/share.css"  # a hashed name from the manifest

    response = Client().get(hashed, **GZIP)  # a fresh client: whitenoise reads the new root

    assert response.status_code == 200 and is_gzipped(response)
    assert "immutable" in response["Cache-Control"] and "max-age=315360000" in response["Cache-Control"]
