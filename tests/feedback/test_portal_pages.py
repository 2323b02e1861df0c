"""The public ideas portal through the Django test client: switched on per product by admins
(404 while off), magic-link sign-in and its refusal pages, 429 pages, the honeypot,
sanitised Markdown, nothing internal in any portal page, other workspaces kept out, flat
query counts at 10 and 5,000 ideas, and the changelog with its Atom feed."""

import re
import xml.etree.ElementTree as ET
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from feedback import throttle
from feedback.models import Idea, PortalSettings, Vote
from feedback.services import portal_access
from releases import services as release_services
from tests.conftest import count_queries
from tests.factories import ProductFactory, UserFactory, WorkspaceFactory

from . import portal_data

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
LINK = re.compile(r"http://testserver(?P<path>/portal/acme/MOB/sign-in/[^/\s]+/)")


@pytest.fixture(autouse=True)
def fresh_limits():
    throttle.reset()
    yield
    throttle.reset()


@pytest.fixture
def portal(product):
    return portal_data.open_portal(product, title="Mobile App ideas", welcome="We read **every** idea.")


def url(name, *args):
    return reverse(f"portal:{name}", args=["acme", "MOB", *args])


def sign_in(client, product, email="fan@outside.example"):
    """Sign `client` in to the product's portal the way the emailed link does."""
    token = portal_access.portal_link_token(product=product, email=email)
    response = client.post(url("sign_in_link", token), {"name": "Fran Fan"})
    assert response.status_code == 302
    return product.portal_users.get(email=email)


# --- the switch ---------------------------------------------------------------------------------


PUBLIC_PAGES = [("home", ()), ("roadmap", ()), ("changelog", ()), ("changelog_feed", ()), ("sign_in", ()),
                ("preferences", ()), ("idea_submit", ()), ("idea_similar", ())]


@pytest.mark.parametrize(("name", "args"), PUBLIC_PAGES)
def test_a_portal_nobody_opened_is_not_found(client, product, name, args):
    assert client.get(url(name, *args)).status_code == 404


@pytest.mark.parametrize(("name", "args"), PUBLIC_PAGES)
def test_a_closed_portal_is_not_found(client, product, portal, name, args):
    assert client.get(url(name, *args)).status_code in (200, 302)
    portal.enabled = False
    portal.save()
    assert client.get(url(name, *args)).status_code == 404


def test_a_closed_portal_hides_its_ideas_and_refuses_writes(client, product, portal):
    idea = portal_data.idea(product, "Dark mode")
    sign_in(client, product)
    portal.enabled = False
    portal.save()

    assert client.get(url("idea_detail", idea.pk)).status_code == 404
    assert client.post(url("idea_vote", idea.pk)).status_code == 404
    assert client.post(url("idea_submit"), {"title": "Sneaky"}).status_code == 404
    assert not Vote.objects.exists()


def test_an_archived_products_portal_is_not_found(client, product, portal):
    product.archived_at = timezone.now()
    product.save()
    assert client.get(url("home")).status_code == 404


def test_an_admin_opens_and_closes_the_portal_from_the_settings_page(client_as_admin, product):
    settings_url = reverse("portal:settings", args=["acme", "MOB"])
    page = client_as_admin.get(settings_url)
    assert page.status_code == 200
    assert b"Closed" in page.content

    answer = client_as_admin.post(settings_url, {"enabled": "on", "title": "Tell us", "welcome": "Hi"})
    assert answer.status_code == 302
    assert PortalSettings.objects.get(product=product).enabled
    assert client_as_admin.get(url("home")).status_code == 200

    client_as_admin.post(settings_url, {"title": "Tell us"})
    assert not PortalSettings.objects.get(product=product).enabled
    assert client_as_admin.get(url("home")).status_code == 404


@pytest.mark.parametrize("who", ["client_as_editor", "client_as_viewer"])
def test_only_admins_may_switch_the_portal(request, product, who):
    client = request.getfixturevalue(who)
    settings_url = reverse("portal:settings", args=["acme", "MOB"])
    assert client.get(settings_url).status_code == 403
    assert client.post(settings_url, {"enabled": "on"}).status_code == 403
    assert not PortalSettings.objects.filter(product=product, enabled=True).exists()


@pytest.mark.parametrize(("who", "sees_tab"), [("client_as_admin", True), ("client_as_editor", False),
                                              ("client_as_viewer", False)])
def test_the_feedback_tabs_lead_admins_to_the_portal_switch(request, product, who, sees_tab):
    client = request.getfixturevalue(who)
    settings_url = reverse("portal:settings", args=["acme", "MOB"])
    ideas = client.get(reverse("feedback:idea_list", args=["acme", "MOB"])).content.decode()
    assert (f'href="{settings_url}"' in ideas) is sees_tab


def test_an_outsider_cannot_reach_the_settings_page(client, product, other_workspace):
    client.force_login(other_workspace.memberships.get().user)
    assert client.get(reverse("portal:settings", args=["acme", "MOB"])).status_code == 404


# --- signing in ---------------------------------------------------------------------------------


def test_signing_in_by_emailed_link_then_out(client, product, portal, django_capture_on_commit_callbacks):
    assert b"Sign in" in client.get(url("home")).content
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(url("sign_in"), {"email": "Fan@Outside.example", "next": url("idea_submit")})
    assert sent.status_code == 200
    assert b"Check your email" in sent.content
    path = LINK.search(mail.outbox[-1].body).group("path")

    confirm = client.get(path)
    assert confirm.status_code == 200
    assert confirm["Referrer-Policy"] == "strict-origin"
    assert b"fan@outside.example" in confirm.content
    assert not product.portal_users.exists()  # looking at the link does not use it up

    signed_in = client.post(path, {"name": "Fran Fan"})
    assert signed_in.status_code == 302 and signed_in["Location"] == url("idea_submit")
    home = client.get(url("home"))
    assert b"Fran Fan" in home.content and b"Sign out" in home.content

    again = client.post(path)
    assert again.status_code == 400
    assert b"already used" in again.content and b"Email me a new link" in again.content

    client.post(url("sign_out"))
    assert b"Sign out" not in client.get(url("home")).content


def test_a_portal_sign_in_is_not_a_member_sign_in(client, product, portal):
    sign_in(client, product)
    assert client.get(reverse("strategy:portfolio", args=["acme"])).status_code == 302  # to the sign-in form


def test_a_portal_sign_in_holds_for_its_own_portal_only(client, product, portal, workspace):
    other = ProductFactory(workspace=workspace, name="Web App", key="WEB")
    portal_data.open_portal(other)
    sign_in(client, product)
    assert b"Sign out" not in client.get(reverse("portal:home", args=["acme", "WEB"])).content


def test_an_expired_link_offers_a_new_one_for_the_same_address(client, product, portal, monkeypatch):
    from django.core import signing

    issued_at = signing.time.time() - portal_access.LINK_MAX_AGE.total_seconds() - 5
    monkeypatch.setattr(signing.time, "time", lambda: issued_at)
    token = portal_access.portal_link_token(product=product, email="fan@outside.example")
    monkeypatch.undo()

    page = client.get(url("sign_in_link", token))

    assert page.status_code == 400
    assert b"This sign-in link has expired." in page.content
    assert b'value="fan@outside.example"' in page.content
    assert client.post(url("sign_in_link", token)).status_code == 400
    assert not product.portal_users.exists()


def test_a_tampered_link_gets_the_refusal_page(client, product, portal):
    token = portal_access.portal_link_token(product=product, email="fan@outside.example")
    page = client.post(url("sign_in_link", token[:-4] + "abcd"))
    assert page.status_code == 400
    assert b"not valid" in page.content
    assert not product.portal_users.exists()


def test_too_many_links_for_one_address_answer_429(client, product, portal):
    for n in range(throttle.LINK_PER_EMAIL.count):
        assert client.post(url("sign_in"), {"email": "fan@outside.example"},
                           REMOTE_ADDR=f"203.0.113.{n}").status_code == 200
    refused = client.post(url("sign_in"), {"email": "fan@outside.example"}, REMOTE_ADDR="198.51.100.9")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert b"Too many sign-in links" in refused.content


def test_too_many_links_from_one_ip_answer_429(client, product, portal):
    for n in range(throttle.LINK_PER_ADDRESS.count):
        assert client.post(url("sign_in"), {"email": f"fan{n}@outside.example"}).status_code == 200
    assert client.post(url("sign_in"), {"email": "another@outside.example"}).status_code == 429


def test_a_bot_filling_the_sign_in_honeypot_gets_no_email(client, product, portal, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(url("sign_in"), {"email": "victim@outside.example", "website": "http://spam"})
    assert answer.status_code == 200 and b"Check your email" in answer.content
    assert mail.outbox == []


# --- submitting, voting, commenting --------------------------------------------------------------


def test_submitting_needs_a_sign_in(client, product, portal):
    answer = client.get(url("idea_submit"))
    assert answer.status_code == 302 and answer["Location"].startswith(url("sign_in"))


def test_a_portal_user_submits_a_public_new_idea_with_their_vote(client, product, portal):
    fan = sign_in(client, product)

    answer = client.post(url("idea_submit"), {"title": "Offline mode", "description": "On the *train*."})

    idea = Idea.objects.get()
    assert answer.status_code == 302 and answer["Location"] == url("idea_detail", idea.pk) + "?submitted=1"
    assert (idea.visibility, idea.status, idea.submitted_by_portal_user) == ("public", "new", fan)
    assert idea.vote_count == 1
    page = client.get(answer["Location"])
    assert b"Offline mode" in page.content and b"<em>train</em>" in page.content
    assert b"Offline mode" in client.get(url("home") + "?sort=new").content


def test_a_filled_honeypot_discards_the_idea_silently(client, product, portal):
    sign_in(client, product)
    answer = client.post(url("idea_submit"), {"title": "Cheap pills", "website": "spam.example"}, follow=True)
    assert answer.status_code == 200
    assert b"Thank you" in answer.content
    assert not Idea.objects.exists()


def test_an_oversized_or_empty_idea_is_refused_with_field_errors(client, product, portal):
    sign_in(client, product)
    too_long = client.post(url("idea_submit"), {"title": "x" * 201, "description": "y" * 20_001})
    assert too_long.status_code == 400
    assert b"at most 200 characters" in too_long.content
    assert b"at most 20000 characters" in too_long.content
    assert client.post(url("idea_submit"), {"title": "   "}).status_code == 400
    assert not Idea.objects.exists()


def test_too_many_ideas_from_one_person_answer_429(client, product, portal):
    sign_in(client, product)
    for n in range(throttle.IDEA_PER_EMAIL.count):
        assert client.post(url("idea_submit"), {"title": f"Idea number {n}"}).status_code == 302
    refused = client.post(url("idea_submit"), {"title": "One more"})
    assert refused.status_code == 429
    assert Idea.objects.count() == throttle.IDEA_PER_EMAIL.count


def test_too_many_ideas_from_one_address_answer_429(client, product, portal):
    per_person = throttle.IDEA_PER_EMAIL.count
    submitted = 0
    for person in range(throttle.IDEA_PER_ADDRESS.count // per_person):
        client.cookies.clear()
        sign_in(client, product, email=f"person{person}@outside.example")
        for n in range(per_person):
            assert client.post(url("idea_submit"), {"title": f"Idea {person}-{n}"}).status_code == 302
            submitted += 1
    client.cookies.clear()
    sign_in(client, product, email="fresh@outside.example")
    assert client.post(url("idea_submit"), {"title": "From the same address"}).status_code == 429
    assert Idea.objects.count() == submitted == throttle.IDEA_PER_ADDRESS.count


def test_script_laden_ideas_and_comments_render_inert(client, product, portal):
    fan = sign_in(client, product)
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    client.post(url("idea_submit"), {
        "title": f"Pwn {attack}",
        "description": f'{attack}\n\n[click](javascript:alert(1)) <a href="javascript:alert(2)">me</a>'})
    idea = Idea.objects.get()
    portal_data.comment(idea, f"Nice {attack}", public=True, portal_user=fan)

    for page in (url("home"), url("idea_detail", idea.pk), url("roadmap"), url("changelog")):
        html = client.get(page).content.decode()
        assert "<script>alert" not in html
        assert "onerror=" not in html.replace("onerror=alert(1)&gt;", "")  # escaped text is fine
        assert "javascript:" not in html
    detail = client.get(url("idea_detail", idea.pk)).content.decode()
    assert "Pwn &lt;script&gt;" in detail


def test_voting_and_taking_the_vote_back(client, product, portal):
    idea = portal_data.idea(product, "Dark mode")
    fan = sign_in(client, product)

    assert client.post(url("idea_vote", idea.pk), {"next": url("home")}).status_code == 302
    assert Vote.objects.filter(idea=idea, portal_user=fan).count() == 1
    client.post(url("idea_vote", idea.pk))  # twice: still one vote
    idea.refresh_from_db()
    assert idea.vote_count == 1

    button = client.post(url("idea_vote", idea.pk), {"action": "remove"}, HTTP_HX_REQUEST="true")
    assert button.status_code == 200
    assert b"<html" not in button.content and b'aria-pressed="false"' in button.content
    idea.refresh_from_db()
    assert idea.vote_count == 0


def test_signed_out_visitors_cannot_vote(client, product, portal):
    idea = portal_data.idea(product, "Dark mode")
    answer = client.post(url("idea_vote", idea.pk))
    assert answer.status_code == 302 and answer["Location"].startswith(url("sign_in"))
    assert not Vote.objects.exists()


def test_internal_and_merged_ideas_take_no_votes_or_comments(client, product, portal):
    internal = portal_data.idea(product, "Secret plan", public=False)
    target = portal_data.idea(product, "Export CSV")
    merged = portal_data.idea(product, "CSV export", merged_into=target, merged_at=timezone.now())
    sign_in(client, product)
    assert client.post(url("idea_vote", internal.pk)).status_code == 404
    assert client.post(url("idea_comment", internal.pk), {"body": "hi"}).status_code == 404
    assert client.post(url("idea_vote", merged.pk)).status_code == 404
    assert client.get(url("idea_detail", merged.pk))["Location"] == url("idea_detail", target.pk)
    assert not Vote.objects.exists()


def test_a_portal_user_comments_publicly(client, product, portal):
    idea = portal_data.idea(product, "Dark mode")
    sign_in(client, product)
    answer = client.post(url("idea_comment", idea.pk), {"body": "Yes, **please**."})
    assert answer.status_code == 302
    page = client.get(url("idea_detail", idea.pk)).content.decode()
    assert "<strong>please</strong>" in page and "Fran Fan" in page
    assert client.post(url("idea_comment", idea.pk), {"body": ""}).status_code == 400


def test_similar_ideas_are_suggested_while_typing_a_title(client, product, portal):
    portal_data.idea(product, "Export reports to CSV")
    portal_data.idea(product, "Export the secret roadmap", public=False)
    portal_data.idea(product, "Dark mode")
    sign_in(client, product)

    partial = client.get(url("idea_similar"), {"title": "csv exports"}, HTTP_HX_REQUEST="true")

    html = partial.content.decode()
    assert partial.status_code == 200 and "<html" not in html
    assert "Export reports to CSV" in html
    assert "secret roadmap" not in html and "Dark mode" not in html
    assert "Similar ideas" not in client.get(url("idea_similar"), {"title": "zz"}).content.decode()


def test_without_javascript_similar_ideas_show_after_submitting(client, product, portal):
    portal_data.idea(product, "Export reports to CSV")
    sign_in(client, product)
    answer = client.post(url("idea_submit"), {"title": "CSV export of invoices"}, follow=True)
    html = answer.content.decode()
    assert "Similar ideas" in html and "Export reports to CSV" in html


# --- nothing internal, nothing of others ---------------------------------------------------------


@pytest.fixture
def internal_world(product, workspace, editor):
    """A public idea with every internal thing attached to it, and internal ideas beside."""
    editor.full_name = ""
    editor.save()
    buyer = portal_data.customer(workspace, name="Initrode Secret Customer", revenue="987654")
    person = portal_data.contact(buyer, "cora.secret@initrode.example", name="Cora Secretcontact")
    public = portal_data.idea(product, "Bulk edit", status=Idea.Status.PLANNED, status_note="Planned for spring.",
                              category="Editing")
    portal_data.vote(public, contact=person)
    portal_data.vote(public, user=editor)
    portal_data.comment(public, "INTERNAL-COMMENT-TEXT about pricing", public=False, author=editor)
    portal_data.comment(public, "We are on it.", public=True, author=editor)
    portal_data.idea(product, "INTERNAL-IDEA-TITLE", public=False, status=Idea.Status.PLANNED)
    shipped = portal_data.idea(product, "Shipped thing", status=Idea.Status.SHIPPED, status_changed_at=timezone.now())
    portal_data.vote(shipped, contact=person)
    from feedback.models import FeedbackNote

    note = FeedbackNote.objects.create(workspace=workspace, product=product, customer=buyer, contact=person,
                                       date=timezone.localdate(), text="INTERNAL-NOTE-TEXT verbatim")
    note.ideas.add(public)
    return public


def test_no_portal_page_shows_anything_internal(client, product, portal, internal_world, editor):
    sign_in(client, product)
    pages = [url("home"), url("home") + "?sort=top", url("home") + "?q=bulk", url("idea_detail", internal_world.pk),
             url("roadmap"), url("changelog"), url("changelog_feed"), url("idea_submit"),
             url("idea_similar") + "?title=bulk+edit+internal+idea+title"]
    for page in pages:
        html = client.get(page).content.decode()
        for secret in ("987654", "987,654", "Initrode", "Secretcontact", "cora.secret", "INTERNAL-COMMENT-TEXT",
                       "INTERNAL-IDEA-TITLE", "INTERNAL-NOTE-TEXT", editor.email, "editor@acme.test"):
            assert secret not in html, (page, secret)
    detail = client.get(url("idea_detail", internal_world.pk)).content.decode()
    assert "We are on it." in detail and "Planned for spring." in detail


def test_an_internal_idea_is_not_found_on_the_portal(client, product, portal):
    internal = portal_data.idea(product, "Secret plan", public=False)
    assert client.get(url("idea_detail", internal.pk)).status_code == 404


def test_another_workspaces_ideas_never_show(client, product, portal):
    globex = WorkspaceFactory(name="Globex", slug="globex")
    theirs = ProductFactory(workspace=globex, name="Their app", key="MOB")
    portal_data.open_portal(theirs)
    foreign = portal_data.idea(theirs, "GLOBEX-ONLY idea", status=Idea.Status.PLANNED)
    portal_data.idea(product, "Our idea")

    for page in (url("home"), url("roadmap"), url("home") + "?q=globex", url("idea_similar") + "?title=globex+only"):
        assert "GLOBEX-ONLY" not in client.get(page).content.decode()
    assert client.get(url("idea_detail", foreign.pk)).status_code == 404
    sign_in(client, product)
    assert client.post(url("idea_vote", foreign.pk)).status_code == 404
    assert "GLOBEX-ONLY" in client.get(reverse("portal:home", args=["globex", "MOB"])).content.decode()


# --- query counts ------------------------------------------------------------------------------


def _ideas(product, n):
    now = timezone.now()
    Idea.objects.bulk_create([
        Idea(workspace_id=product.workspace_id, product=product, title=f"Idea {i} about exports", category="Data",
             visibility=Idea.Visibility.PUBLIC, status=Idea.Status.values[i % 6], vote_count=i % 50,
             created_at=now - timedelta(minutes=i), status_changed_at=now - timedelta(minutes=i))
        for i in range(n)])


@pytest.mark.parametrize("sort", ["trending", "top", "new"])
def test_the_portal_list_costs_the_same_queries_at_10_and_5000_ideas(client, product, portal, sort):
    fan = sign_in(client, product)
    _ideas(product, 10)
    first = Idea.objects.order_by("id").first()
    portal_data.vote(first, portal_user=fan)
    page = url("home") + f"?sort={sort}"
    few = count_queries(lambda: client.get(page))
    _ideas(product, 4_990)
    assert count_queries(lambda: client.get(page)) == few
    assert count_queries(lambda: client.get(url("home") + "?q=exports")) == few
    assert few <= 8


def test_an_idea_page_roadmap_and_changelog_cost_the_same_queries_at_10_and_5000_ideas(client, product, portal):
    fan = sign_in(client, product)
    _ideas(product, 10)
    idea = Idea.objects.order_by("id").first()
    portal_data.comment(idea, "First", public=True, portal_user=fan)
    pages = [url("idea_detail", idea.pk), url("roadmap"), url("changelog"), url("changelog_feed")]
    few = [count_queries(lambda page=page: client.get(page)) for page in pages]
    _ideas(product, 4_990)
    for _ in range(20):
        portal_data.comment(idea, "More", public=True, portal_user=fan)
    assert [count_queries(lambda page=page: client.get(page)) for page in pages] == few


# --- the changelog ------------------------------------------------------------------------------


@pytest.fixture
def shipped_plan(product, editor, workflow, today):
    """A released release with one done and one unfinished feature, an idea it delivered, and
    an idea shipped on its own."""
    release = release_services.release_create(
        actor=editor, product=product, name="Spring", version_label="2.0", start_date=today - timedelta(days=40),
        release_date=today - timedelta(days=10), status="released")
    done = release_services.feature_create(actor=editor, product=product, title="Offline sync", release=release,
                                           status=workflow["Shipped"], description="INTERNAL-FEATURE-DESC",
                                           estimate=Decimal(8))
    release_services.feature_create(actor=editor, product=product, title="Half-built thing", release=release,
                                    status=workflow["In development"])
    release_services.release_create(actor=editor, product=product, name="Summer", version_label="2.1",
                                    start_date=today, release_date=today + timedelta(days=30))
    delivered = portal_data.idea(product, "Work offline", status=Idea.Status.SHIPPED, feature=done,
                                 status_changed_at=timezone.now() - timedelta(days=9))
    alone = portal_data.idea(product, "Bigger fonts", status=Idea.Status.SHIPPED,
                             status_changed_at=timezone.now() - timedelta(days=2))
    return release, delivered, alone


def test_the_changelog_lists_releases_and_shipped_ideas_newest_first(client, product, portal, shipped_plan):
    _release, delivered, alone = shipped_plan
    html = client.get(url("changelog")).content.decode()
    assert html.index("Bigger fonts") < html.index("Spring") < html.index("Offline sync")
    assert "Work offline" in html  # delivered by the release, named under it
    assert "Half-built thing" not in html and "Summer" not in html and "INTERNAL-FEATURE-DESC" not in html


def test_the_changelog_feed_is_valid_atom(client, product, portal, shipped_plan):
    answer = client.get(url("changelog_feed"))

    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(answer.content)
    assert feed.tag == f"{ATOM}feed"
    assert feed.find(f"{ATOM}title").text == "Mobile App ideas: what shipped"
    assert feed.find(f"{ATOM}id").text and feed.find(f"{ATOM}updated").text
    entries = feed.findall(f"{ATOM}entry")
    assert [entry.find(f"{ATOM}title").text for entry in entries] == ["Shipped: Bigger fonts", "Spring 2.0"]
    for entry in entries:
        assert entry.find(f"{ATOM}id").text
        assert entry.find(f"{ATOM}link").get("href").startswith("http://testserver/portal/acme/MOB/")
    summary = entries[1].find(f"{ATOM}summary").text
    assert "Offline sync" in summary and "Work offline" in summary and "Half-built" not in summary
    home = client.get(url("home")).content.decode()
    assert 'type="application/atom+xml"' in home


def test_published_release_notes_are_the_release_entry_of_the_one_changelog(client, product, portal, editor,
                                                                            shipped_plan):
    release, _delivered, _alone = shipped_plan
    release_services.release_note_save(actor=editor, release=release,
                                       body="### Offline sync\n\nKeep working <script>x()</script>on the train.")
    before = client.get(url("changelog")).content.decode()
    assert "Keep working" not in before  # saved, not yet published
    release_services.release_note_publish(actor=editor, release=release)
    release_services.release_note_publish(actor=editor, release=release)  # twice: nothing more
    html = client.get(url("changelog")).content.decode()
    assert html.count('id="release-') == 1
    assert "<h3>Offline sync</h3>" in html and "on the train" in html and "<script>x()" not in html
    feed = ET.fromstring(client.get(url("changelog_feed")).content)
    entries = feed.findall(f"{ATOM}entry")
    assert [entry.find(f"{ATOM}title").text for entry in entries] == ["Shipped: Bigger fonts", "Spring 2.0"]
    summary = entries[1].find(f"{ATOM}summary")
    assert summary.get("type") == "html"
    assert "<h3>Offline sync</h3>" in summary.text and "<script>" not in summary.text
    assert "Idea delivered: Work offline" in summary.text


def test_notes_published_before_the_release_is_marked_released_are_listed(client, product, portal, editor,
                                                                          shipped_plan, today):
    upcoming = release_services.release_create(actor=editor, product=product, name="Autumn",
                                               start_date=today, release_date=today + timedelta(days=3))
    release_services.release_note_save(actor=editor, release=upcoming, body="Coming **soon**.")
    assert "Autumn" not in client.get(url("changelog")).content.decode()
    release_services.release_note_publish(actor=editor, release=upcoming)
    assert "<strong>soon</strong>" in client.get(url("changelog")).content.decode()


def test_an_empty_changelog_says_so(client, product, portal):
    assert b"Nothing shipped yet" in client.get(url("changelog")).content
    feed = ET.fromstring(client.get(url("changelog_feed")).content)
    assert feed.findall(f"{ATOM}entry") == []


def test_pages_are_private_to_the_browser(client, product, portal):
    answer = client.get(url("home"))
    assert "private" in answer["Cache-Control"] and "no-cache" in answer["Cache-Control"]


def test_the_roadmap_shows_planned_in_progress_and_shipped_columns(client, product, portal):
    portal_data.idea(product, "Planned one", status=Idea.Status.PLANNED)
    portal_data.idea(product, "Doing one", status=Idea.Status.IN_PROGRESS)
    portal_data.idea(product, "Done one", status=Idea.Status.SHIPPED, status_changed_at=timezone.now())
    portal_data.idea(product, "New one")
    html = client.get(url("roadmap")).content.decode()
    assert html.index("Planned one") < html.index("Doing one") < html.index("Done one")
    assert "New one" not in html


def test_member_users_are_named_never_by_email(client, product, portal):
    idea = portal_data.idea(product, "Dark mode")
    nameless = UserFactory(email="nameless.member@acme.test", full_name="")
    portal_data.comment(idea, "From the team", public=True, author=nameless)
    html = client.get(url("idea_detail", idea.pk)).content.decode()
    assert "From the team" in html and "nameless.member" not in html


def test_a_filled_honeypot_discards_the_comment_silently(client, product, portal):
    idea = portal_data.idea(product, "Dark mode")
    sign_in(client, product)
    answer = client.post(url("idea_comment", idea.pk), {"body": "Buy now", "website": "spam.example"})
    assert answer.status_code == 302
    assert not idea.comments.exists()


@pytest.fixture
def redis_away(settings):
    """The cache (where the limits are counted) on a closed local port, as when Redis is down."""
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:1/0"}}


def test_without_redis_links_and_ideas_are_refused_but_the_portal_reads(
        client, product, portal, django_capture_on_commit_callbacks, redis_away):
    portal_data.idea(product, "Dark mode")
    assert b"Dark mode" in client.get(url("home")).content

    with django_capture_on_commit_callbacks(execute=True):
        refused = client.post(url("sign_in"), {"email": "fan@outside.example"})
    assert refused.status_code == 503
    assert b"cannot take this right now" in refused.content
    assert mail.outbox == []

    sign_in(client, product)  # a link sent earlier still signs in: redeeming counts nothing
    assert client.post(url("idea_submit"), {"title": "Offline mode"}).status_code == 503
    assert not Idea.objects.filter(title="Offline mode").exists()


def test_a_portal_user_renames_themselves_and_switches_shipped_emails_off(client, product, portal):
    fan = sign_in(client, product)
    assert client.get(url("preferences")).status_code == 200

    answer = client.post(url("preferences"), {"name": "Frankie"})

    assert answer.status_code == 302
    fan.refresh_from_db()
    assert (fan.name, fan.unsubscribed) == ("Frankie", True)
    client.post(url("preferences"), {"name": "Frankie", "emails": "on"})
    fan.refresh_from_db()
    assert fan.unsubscribed is False


def test_settings_need_a_sign_in(client, product, portal):
    answer = client.get(url("preferences"))
    assert answer.status_code == 302 and answer["Location"].startswith(url("sign_in"))
