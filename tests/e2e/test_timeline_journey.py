"""The roadmap in a real browser: drag a feature bar to a later date, reload, see it moved."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from releases import services as release_services
from releases.models import Feature
from strategy import services
from strategy.models import User

from .conftest import screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_dragging_a_feature_bar_to_a_later_date_reschedules_it(page):
    pm = User.objects.create_user("pm@example.com", "a-long-passphrase", full_name="Pat Manager")
    workspace = services.workspace_create(actor=pm, name="Initech")
    product = services.product_create(actor=pm, workspace=workspace, name="Mobile App", key="MOB")
    today = timezone.localdate()
    feature = release_services.feature_create(actor=pm, product=product, title="Saved carts",
                                              start_date=today, end_date=today + timedelta(days=20))
    sign_in(page, "pm@example.com", "a-long-passphrase")
    page.goto("/w/initech/products/MOB/roadmap/?zoom=months")
    bar = page.locator(f'g.rt-bar--feature[data-number="{feature.number}"] .rt-bar__box')
    expect(bar).to_be_visible()
    screenshot(page, "timeline-before")
    px_per_day = float(page.locator("svg[data-px-per-day]").first.get_attribute("data-px-per-day"))

    box = bar.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    with page.expect_response(lambda response: "/roadmap/" in response.url and response.request.method == "POST"):
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x + 14 * px_per_day / 2, y, steps=5)
        page.mouse.move(x + 14 * px_per_day, y, steps=5)
        page.mouse.up()

    page.reload()
    moved = Feature.objects.get(pk=feature.pk)
    assert (moved.start_date, moved.end_date) == (today + timedelta(days=14), today + timedelta(days=34))
    expect(page.locator(f'g.rt-bar--feature[data-number="{feature.number}"]')).to_have_attribute(
        "data-start", (today + timedelta(days=14)).isoformat())
