"""Input no view should see: NUL characters, text that is not UTF-8, oversized bodies and
deeply nested JSON are refused up front with a 400 (404 for an address, 413 for size), and
nothing is stored."""

import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from releases.models import Feature
from strategy.middleware import json_depth
from strategy.models import Product
from tests.api_urls import api_url

pytestmark = pytest.mark.django_db

PRODUCTS = api_url("strategy-api:product-list")


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _deep(levels: int) -> str:
    return '{"name": ' + "[" * levels + "]" * levels + "}"


def test_an_address_with_a_nul_character_is_not_found(client_as_viewer, product):
    response = client_as_viewer.get("/w/acme/products/SH%00OP/")

    assert response.status_code == 404


def test_a_query_string_with_a_nul_character_is_refused(client_as_viewer, product):
    response = client_as_viewer.get(reverse("strategy:portfolio", args=["acme"]) + "?q=a%00b")

    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_a_nul_character_in_api_json_is_a_400_and_nothing_is_created(editor, workspace):
    response = _api(editor).post(PRODUCTS, '{"workspace": "a\\u0000", "name": "Shop", "key": "SHOP"}',
                                 content_type="application/json")

    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]
    assert not Product.objects.filter(key="SHOP").exists()


def test_an_escaped_backslash_before_u0000_is_ordinary_text(editor, workspace):
    body = json.dumps({"workspace": "acme", "name": "C:\\u0000 drive", "key": "SHOP"})

    response = _api(editor).post(PRODUCTS, body, content_type="application/json")

    assert response.status_code == 201, response.content
    assert Product.objects.get(key="SHOP").name == "C:\\u0000 drive"


def test_a_nul_character_in_a_form_is_refused(client_as_editor, product, workflow):
    url = reverse("releases:feature_create", args=["acme", "MOB"])

    response = client_as_editor.post(url, {"title": "Offline", "status": workflow["Backlog"].pk, "tags": "a\x00b"})

    assert response.status_code == 400
    assert "NUL" in response.content.decode()
    assert not Feature.objects.exists()


def test_a_form_that_is_not_utf8_is_refused_with_a_message(client_as_editor, product, workflow):
    url = reverse("releases:feature_create", args=["acme", "MOB"])
    body = f"title=Caf%E9&status={workflow['Backlog'].pk}".encode()

    response = client_as_editor.post(url, body, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 400
    assert "not valid UTF-8" in response.content.decode()
    assert not Feature.objects.exists()


def test_utf8_text_in_a_form_is_kept(client_as_editor, product, workflow):
    url = reverse("releases:feature_create", args=["acme", "MOB"])
    body = f"title=Caf%C3%A9+%E2%9C%93&status={workflow['Backlog'].pk}".encode()

    client_as_editor.post(url, body, content_type="application/x-www-form-urlencoded")

    assert Feature.objects.get().title == "Café ✓"


@pytest.mark.parametrize("url", [PRODUCTS, api_url("releases-api:feature-list"), api_url("releases-api:feature-bulk")])
def test_deeply_nested_json_is_a_400_not_a_recursion_error(editor, product, url):
    response = _api(editor).post(url, _deep(950), content_type="application/json")

    assert response.status_code == 400
    assert "levels deep" in response.json()["detail"]


def test_an_oversized_body_is_a_413_in_json(editor, workspace, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"workspace": "acme", "name": "x" * 2000, "key": "SHOP"})

    response = _api(editor).post(PRODUCTS, body, content_type="application/json")

    assert response.status_code == 413
    assert "larger than 1000 bytes" in response.json()["detail"]


def test_nesting_is_counted_outside_strings_only():
    assert json_depth(b'{"a": [1, {"b": "[[[[{{"}]}') == 3
    assert json_depth(b'"\\"[[["') == 0
    assert json_depth(_deep(40).encode()) == 41


def test_a_multipart_body_that_cannot_be_parsed_is_a_json_400_on_the_api(editor, workspace):
    # An empty boundary: Django's multipart parser refuses the body before reading a field.
    response = _api(editor).generic("POST", PRODUCTS, b"--\r\n", content_type="multipart/form-data; boundary=")

    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert "could not be read" in response.json()["detail"]
