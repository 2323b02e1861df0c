import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_an_unknown_workspace_shows_a_friendly_not_found_page(client_as_viewer):
    response = client_as_viewer.get(reverse("strategy:portfolio", args=["nowhere"]))
    assert response.status_code == 404
    assert b"Page not found" in response.content


def test_a_refused_change_explains_the_role(client_as_viewer, workspace):
    response = client_as_viewer.get(reverse("strategy:product_create", args=[workspace.slug]))
    assert response.status_code == 403
    assert "doesn’t allow this change" in response.content.decode()
