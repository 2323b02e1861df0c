import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_the_openapi_schema_validates_without_warnings(tmp_path):
    schema = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(schema))
    text = schema.read_text()
    assert "/api/v1/w/{ws}/products/" in text
    assert "personalToken" in text


@pytest.fixture
def schema(db):
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def test_a_product_without_owner_and_a_competitor_without_website_are_declared_so(schema):
    components = schema["components"]["schemas"]

    owner = components["Product"]["properties"]["owner"]
    website = components["Competitor"]["properties"]["website"]

    assert owner.get("nullable") or {"type": "null"} in owner.get("oneOf", []) + owner.get("anyOf", [])
    assert {"type": "string", "maxLength": 0} in website["anyOf"]


def test_a_contact_without_email_is_declared_so(schema):
    email = schema["components"]["schemas"]["Contact"]["properties"]["email"]
    assert email["type"] == "string" and "format" not in email  # "" is a valid answer


def test_every_operation_declares_its_error_responses(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            declared = set(operation["responses"])
            assert {"400", "401", "403", "404"} <= declared, (method, path)
            if method in ("put", "patch"):
                assert "409" in declared, (method, path)


def test_an_api_url_that_matches_nothing_answers_json(client):
    response = client.get("/api/v1/w/acme/features/1.5e-3/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_a_page_that_does_not_exist_is_still_the_friendly_page(client_as_viewer):
    response = client_as_viewer.get("/w/nowhere-at-all/products/NONE/oops/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
