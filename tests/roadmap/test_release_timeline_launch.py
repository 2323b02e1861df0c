"""Going to market on the release timeline: each release's phases as bands, its overdue
launch to-dos for members, and its messaging, which a share link shows only when allowed."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from releases import services as release_services
from roadmap import services
from roadmap.models import ShareLink
from tests.conftest import count_queries
from tests.factories import PersonaFactory, ReleaseFactory

pytestmark = pytest.mark.django_db


def days(n):
    return timezone.localdate() + timedelta(days=n)


@pytest.fixture
def release(editor, product, workspace):
    release = ReleaseFactory(product=product, name="Summer", start_date=days(-30), release_date=days(20),
                             status="in_progress")
    types = {t.name: t for t in release_services.phase_types_defaults_create(workspace=workspace)}
    release_services.release_phase_create(actor=editor, release=release, phase_type=types["Beta"],
                                          start_date=days(5), end_date=days(15))
    release_services.todo_create(actor=editor, release=release, title="INTERNAL-TODO", due_date=days(-1))
    persona = PersonaFactory(product=product, workspace=workspace, name="Busy parent")
    release_services.messaging_update(actor=editor, release=release, key_messages="**Pay with a tap**",
                                      personas=[persona])
    return release


def test_members_see_phases_overdue_to_dos_and_messaging(client_as_viewer, product, release):
    html = client_as_viewer.get(reverse("roadmap:release_timeline", args=["acme", product.key])).content.decode()
    assert "gtm-band__phase" in html and "Beta" in html
    assert "1 to-do overdue" in html
    assert "<strong>Pay with a tap</strong>" in html and "Busy parent" in html


def test_a_share_link_shows_messaging_only_when_allowed_and_never_to_dos(client, editor, product, release):
    _hidden, hidden = services.share_link_create(actor=editor, product=product,
                                                 view=ShareLink.View.RELEASE_TIMELINE)
    _shown, shown = services.share_link_create(actor=editor, product=product, view=ShareLink.View.RELEASE_TIMELINE,
                                               show_messaging=True)
    closed = client.get(reverse("roadmap:shared_view", args=[hidden])).content.decode()
    opened = client.get(reverse("roadmap:shared_view", args=[shown])).content.decode()
    assert "gtm-band__phase" in closed and "gtm-band__phase" in opened
    assert "Pay with a tap" not in closed and "Busy parent" not in closed
    assert "<strong>Pay with a tap</strong>" in opened and "Busy parent" in opened
    for page in (closed, opened):
        assert "overdue" not in page and "INTERNAL-TODO" not in page


def test_the_share_form_creates_a_link_that_shows_messaging(client_as_editor, product):
    url = reverse("roadmap:share_link_list", args=["acme", product.key])
    client_as_editor.post(url, {"view": ShareLink.View.RELEASE_TIMELINE, "show_messaging": "on"})
    assert ShareLink.objects.get().show_messaging is True


def test_the_release_timeline_queries_do_not_grow_with_launch_data(client_as_viewer, editor, product, workspace,
                                                                   release):
    url = reverse("roadmap:release_timeline", args=["acme", product.key])
    client_as_viewer.get(url)
    few = count_queries(lambda: client_as_viewer.get(url))
    types = {t.name: t for t in workspace.phase_types.all()}
    for i in range(6):
        other = ReleaseFactory(product=product, start_date=days(30 + i), release_date=days(60 + i))
        release_services.release_phase_create(actor=editor, release=other, phase_type=types["Build"],
                                              start_date=days(30 + i), end_date=days(40 + i))
        release_services.todo_create(actor=editor, release=other, title="x", due_date=days(-2))
        release_services.messaging_update(actor=editor, release=other, key_messages="m", personas=[
            PersonaFactory(product=product, workspace=workspace)])
    assert count_queries(lambda: client_as_viewer.get(url)) == few
