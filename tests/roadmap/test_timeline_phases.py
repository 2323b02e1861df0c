"""Release phases drawn as bands under their releases on the product timeline, its SVG
export and its share link, at no extra query."""

import io
import re
from datetime import date, timedelta
from urllib.parse import urlencode

import pypdf
import pytest
from django.urls import reverse

from releases import services
from releases.models import Release, ReleasePhase
from roadmap import services as roadmap_services
from roadmap.models import ShareLink
from roadmap.render import pdf
from roadmap.timeline import PHASE_HEIGHT
from tests.conftest import count_queries

pytestmark = pytest.mark.django_db

WINDOW = {"start": "2030-03-01", "end": "2030-06-30"}


def url(name, product, **query):
    return reverse(f"roadmap:{name}", args=[product.workspace.slug, product.key]) + "?" + urlencode(
        {**WINDOW, **query})


@pytest.fixture
def phase_types(workspace):
    return {t.name: t for t in services.phase_types_defaults_create(workspace=workspace)}


@pytest.fixture
def release(editor, product, phase_types):
    release = services.release_create(actor=editor, product=product, name="Spring launch",
                                      start_date=date(2030, 3, 1), release_date=date(2030, 4, 30))
    services.release_phase_create(actor=editor, release=release, phase_type=phase_types["Build"],
                                  start_date=date(2030, 3, 2), end_date=date(2030, 3, 31))
    services.release_phase_create(actor=editor, release=release, phase_type=phase_types["Beta"],
                                  start_date=date(2030, 4, 1), end_date=date(2030, 4, 20))
    return release


def phase_bands(html: str) -> list[str]:
    return re.findall(r'<g class="rt-phase" role="img" aria-label="([^"]*)"><title>[^<]*</title><rect [^>]*'
                      r'fill="(#[0-9a-fA-F]{6})"', html)


def test_the_product_timeline_draws_each_phase_under_its_release_with_name_dates_and_legend(
        client_as_viewer, product, release, phase_types):
    html = client_as_viewer.get(url("product_timeline", product)).content.decode()

    assert phase_bands(html) == [("Build: 2 Mar – 31 Mar 2030", phase_types["Build"].colour),
                                 ("Beta: 1 Apr – 20 Apr 2030", phase_types["Beta"].colour)]
    assert f'data-release="{release.pk}"' in html
    assert "Release phase (coloured line under its release" in html
    # The Beta band starts a month (at the default zoom's scale) after the Build band, under the bar.
    xs = [float(x) for x in re.findall(r'<g class="rt-phase".*?<rect x="([\d.]+)"', html)]
    assert xs[0] < xs[1]


def test_a_phase_across_a_new_year_names_both_years_and_one_outside_the_window_is_not_drawn(
        client_as_viewer, editor, product, release, phase_types):
    services.release_phase_create(actor=editor, release=release, phase_type=phase_types["Plan"],
                                  start_date=date(2029, 12, 20), end_date=date(2030, 1, 10))
    html = client_as_viewer.get(url("product_timeline", product)).content.decode()
    assert "Plan:" not in html  # ends before the window
    html = client_as_viewer.get(url("product_timeline", product, start="2029-12-01")).content.decode()
    assert "Plan: 20 Dec 2029 – 10 Jan 2030" in html


def test_a_timeline_without_phases_has_no_phase_band_or_legend_entry(client_as_viewer, editor, product):
    services.release_create(actor=editor, product=product, name="Plain", start_date=date(2030, 3, 1),
                            release_date=date(2030, 4, 30))
    html = client_as_viewer.get(url("product_timeline", product)).content.decode()
    assert "Plain" in html
    assert 'class="rt-phase"' not in html and "Release phase" not in html


def test_the_svg_export_and_the_share_draw_the_phases(client, client_as_viewer, editor, product, release):
    svg = client_as_viewer.get(url("timeline_export_svg", product)).content.decode()
    assert "Beta: 1 Apr – 20 Apr 2030" in svg and "Release phase" in svg

    _link, token = roadmap_services.share_link_create(actor=editor, product=product, view=ShareLink.View.TIMELINE)
    html = client.get(reverse("roadmap:shared_view", args=[token]), WINDOW).content.decode()
    assert "Beta: 1 Apr – 20 Apr 2030" in html


def test_phases_cost_no_query_of_their_own(client_as_viewer, editor, product, release, phase_types):
    page = url("product_timeline", product)
    client_as_viewer.get(page)
    few = count_queries(lambda: client_as_viewer.get(page))
    types = list(phase_types.values())
    for i in range(30):
        other = Release.objects.create(workspace=product.workspace, product=product, name=f"R{i}",
                                       start_date=date(2030, 3, 1) + timedelta(days=i),
                                       release_date=date(2030, 5, 1) + timedelta(days=i))
        ReleasePhase.objects.bulk_create([
            ReleasePhase(release=other, phase_type=types[j], start_date=date(2030, 3, 1) + timedelta(days=10 * j + i),
                         end_date=date(2030, 3, 9) + timedelta(days=10 * j + i)) for j in range(3)])
    response = client_as_viewer.get(page)
    many = count_queries(lambda: client_as_viewer.get(page))

    assert many == few
    assert len(phase_bands(response.content.decode())) == 2 + 30 * 3


def test_the_pdf_draws_the_phase_bands(client_as_viewer, product, release, phase_types):
    svg = client_as_viewer.get(url("timeline_export_svg", product)).content.decode()
    drawing = pdf._read(svg)
    thin = [op for op in drawing.body if op.kind == "rect" and round(op.bottom - op.top) == PHASE_HEIGHT]
    assert len(thin) == 2
    response = client_as_viewer.get(url("timeline_export_pdf", product))
    assert response.status_code == 200
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(b"".join(response))).pages)
    assert "Release phase" in text
