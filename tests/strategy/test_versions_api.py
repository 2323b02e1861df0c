"""Versions over the API: records with a version send it as an ETag and honour If-Match
(412 when it names another version); a version the record never reached is a 400 that says
so; saving an unchanged vision makes no new version."""

import pytest
from rest_framework.test import APIClient

from releases import services as release_services
from strategy import services
from strategy.models import Persona, Product, Vision
from tests.api_urls import api_url

pytestmark = pytest.mark.django_db


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _vision_url(product) -> str:
    return api_url("strategy-api:vision-detail", args=[product.pk])


def test_a_record_is_read_with_its_version_as_etag(editor, product):
    persona = services.persona_create(actor=editor, product=product, name="Pat")

    response = _api(editor).get(api_url("strategy-api:persona-detail", args=[persona.pk]))

    assert response["ETag"] == f'"{persona.version}"'


def test_a_write_with_a_matching_if_match_goes_through_and_answers_the_new_etag(editor, product):
    persona = services.persona_create(actor=editor, product=product, name="Pat")
    url = api_url("strategy-api:persona-detail", args=[persona.pk])
    client = _api(editor)

    response = client.patch(url, {"name": "Patricia"}, format="json", HTTP_IF_MATCH=client.get(url)["ETag"])

    assert response.status_code == 200, response.content
    assert response["ETag"] == f'"{persona.version + 1}"'
    assert Persona.objects.get().name == "Patricia"


@pytest.mark.parametrize("method", ["patch", "put", "delete"])
def test_a_write_whose_if_match_names_another_version_is_412_and_changes_nothing(editor, product, method):
    persona = services.persona_create(actor=editor, product=product, name="Pat")
    services.persona_update(actor=editor, persona=persona, name="Pat B")
    url = api_url("strategy-api:persona-detail", args=[persona.pk])

    response = getattr(_api(editor), method)(url, {"name": "Mine"}, format="json", HTTP_IF_MATCH='"1"')

    assert response.status_code == 412
    assert "version 2" in response.json()["detail"]
    assert Persona.objects.get().name == "Pat B"


def test_if_match_works_on_products_features_and_the_vision(editor, product, workflow):
    feature = release_services.feature_create(actor=editor, product=product, title="Offline")
    client = _api(editor)
    urls = [api_url("strategy-api:product-detail", args=[product.pk]),
            api_url("releases-api:feature-detail", args=[feature.pk]), _vision_url(product)]
    changes = [{"name": "Renamed"}, {"title": "Renamed"}, {"statement": "Renamed"}]

    stale = [client.patch(url, change, format="json", HTTP_IF_MATCH='"7"') for url, change in zip(urls[:2], changes)]
    stale.append(client.put(urls[2], changes[2], format="json", HTTP_IF_MATCH='"7"'))

    assert [r.status_code for r in stale] == [412, 412, 412]
    etags = [client.get(url)["ETag"] for url in urls]
    assert etags == ['"1"', f'"{feature.version}"', '"0"']
    fresh = [client.patch(url, change, format="json", HTTP_IF_MATCH=tag)
             for url, change, tag in zip(urls[:2], changes, etags)]
    fresh.append(client.put(urls[2], changes[2], format="json", HTTP_IF_MATCH=etags[2]))
    assert [r.status_code for r in fresh] == [200, 200, 200]
    assert Product.objects.get().name == "Renamed" and Vision.objects.get().statement == "Renamed"


def test_a_version_ahead_of_the_record_is_a_400_that_says_so(editor, product):
    persona = services.persona_create(actor=editor, product=product, name="Pat")
    url = api_url("strategy-api:persona-detail", args=[persona.pk])

    response = _api(editor).patch(url, {"name": "Mine", "version": persona.version + 5}, format="json")

    assert response.status_code == 400
    assert "does not exist yet" in response.json()["version"][0]
    assert Persona.objects.get().name == "Pat"


@pytest.mark.parametrize("url_name", ["vision", "product"])
def test_a_vision_or_product_version_ahead_is_a_400_that_says_so(editor, product, url_name):
    services.vision_save(actor=editor, product=product, statement="Ours")
    url = _vision_url(product) if url_name == "vision" else api_url("strategy-api:product-detail", args=[product.pk])

    response = _api(editor).patch(url, {"version": 9}, format="json") if url_name == "product" else \
        _api(editor).put(url, {"statement": "Mine", "version": 9}, format="json")

    assert response.status_code == 400
    assert "does not exist yet" in response.json()["version"][0]


def test_saving_the_vision_unchanged_makes_no_new_version(editor, product):
    client = _api(editor)
    client.put(_vision_url(product), {"statement": "Ours"}, format="json")

    responses = [client.put(_vision_url(product), {}, format="json"),
                 client.put(_vision_url(product), {"statement": "Ours", "version": 1}, format="json")]

    assert [r.status_code for r in responses] == [200, 200]
    assert [r.json()["version"] for r in responses] == [1, 1]
    assert Vision.objects.get().history.count() == 1


def test_an_empty_save_creates_no_vision(editor, product):
    response = _api(editor).put(_vision_url(product), {}, format="json")

    assert (response.status_code, response.json()["version"]) == (200, 0)
    assert not Vision.objects.exists()
