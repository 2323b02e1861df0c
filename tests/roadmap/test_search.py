"""The workspace search: features by key or words, the other kinds by words, ranked by
full-text search, highlighted safely, within the workspaces the user belongs to; the page, the
top bar's dropdown and the API share one selector, and none grows its queries with the rows."""

import pytest
from django.urls import reverse

from roadmap.selectors import search_query, workspace_search
from roadmap.selectors.search import highlighted

from ..conftest import count_queries
from ..factories import (
    CompetitorFactory,
    FeatureFactory,
    GoalFactory,
    IdeaFactory,
    InitiativeFactory,
    PersonaFactory,
    ProductFactory,
    ReleaseFactory,
)

pytestmark = pytest.mark.django_db


def kinds(results) -> dict[str, list[str]]:
    return {group.kind: [hit.title for hit in group.hits] for group in results.groups}


def test_a_feature_key_is_found_exactly_in_any_case(viewer, workspace, product):
    FeatureFactory(product=product, title="Offline mode")
    feature = FeatureFactory(product=product, title="Dark mode")

    results = workspace_search(user=viewer, workspace=workspace, text=f" mob-{feature.number} ")

    assert results.jump.pk == feature.pk
    assert results.jump.url == reverse("releases:feature_detail", args=["acme", "MOB", feature.number])


def test_every_kind_is_found_by_its_words(viewer, workspace, product):
    FeatureFactory(product=product, title="Export invoices", description="CSV for accountants")
    ReleaseFactory(product=product, name="Invoice release")
    GoalFactory(workspace=workspace, product=product, name="Grow invoice revenue")
    InitiativeFactory(workspace=workspace, product=product, name="Invoicing overhaul")
    PersonaFactory(workspace=workspace, product=product, name="Ivy", description="Sends invoices every Friday")
    CompetitorFactory(workspace=workspace, product=product, name="Billy", positioning="Invoices for freelancers")
    ProductFactory(workspace=workspace, key="INV", name="Invoices")
    IdeaFactory(product=product, title="Recurring invoices")
    FeatureFactory(product=product, title="Dark mode")

    found = kinds(workspace_search(user=viewer, workspace=workspace, text="invoice"))

    assert found == {
        "feature": ["Export invoices"], "release": ["Invoice release"], "goal": ["Grow invoice revenue"],
        "initiative": ["Invoicing overhaul"], "persona": ["Ivy"], "competitor": ["Billy"],
        "product": ["Invoices"], "idea": ["Recurring invoices"],
    }


def test_a_title_match_ranks_above_a_description_match(viewer, workspace, product):
    FeatureFactory(product=product, title="Reports", description="Nothing else")
    FeatureFactory(product=product, title="Calendar", description="Sends reports weekly")
    FeatureFactory(product=product, title="Report builder", description="Build a report from reports")

    found = kinds(workspace_search(user=viewer, workspace=workspace, text="report"))["feature"]

    assert found[-1] == "Calendar"
    assert set(found) == {"Reports", "Calendar", "Report builder"}


def test_the_last_word_is_a_prefix_while_typing(viewer, workspace, product):
    FeatureFactory(product=product, title="Export to spreadsheet")

    typing = workspace_search(user=viewer, workspace=workspace, text="expo")
    assert kinds(typing)["feature"] == ["Export to spreadsheet"]
    assert kinds(workspace_search(user=viewer, workspace=workspace, text="export spread")) == {
        "feature": ["Export to spreadsheet"]}


def test_web_search_syntax_excludes_words(viewer, workspace, product):
    FeatureFactory(product=product, title="Slack alerts")
    FeatureFactory(product=product, title="Email alerts")

    found = kinds(workspace_search(user=viewer, workspace=workspace, text="alerts -email"))

    assert found == {"feature": ["Slack alerts"]}


@pytest.mark.parametrize("text", ["", " ", "a", "'", "&|!():*", "\"", "-", "or or", "x" * 5000, "SHOP-",
                                  "nul\x00byte", "é:*ü"])
def test_odd_input_finds_nothing_or_something_but_never_fails(viewer, workspace, product, text):
    FeatureFactory(product=product, title="Anything")

    results = workspace_search(user=viewer, workspace=workspace, text=text)

    assert results.jump is None
    assert len(results.text) <= 200


def test_matches_are_marked_and_html_in_titles_is_escaped(viewer, workspace, product):
    FeatureFactory(product=product, title="<script>alert(1)</script> export", description="Export <b>now</b>")

    hit = workspace_search(user=viewer, workspace=workspace, text="export").groups[0].hits[0]

    assert str(hit.title_html) == "&lt;script&gt;alert(1)&lt;/script&gt; <mark>export</mark>"
    assert "<b>" not in str(hit.snippet_html)
    assert "<mark>Export</mark>" in str(hit.snippet_html)


def test_marks_the_user_typed_are_not_markup():
    assert str(highlighted("a \ue000<i>b\ue001 \ue000 c")) == "a <mark>&lt;i&gt;b</mark>  c"


def test_search_sees_only_the_workspace_asked_for_and_its_members(viewer, workspace, product, other_product):
    FeatureFactory(product=other_product, title="Secret export")
    secret = FeatureFactory(product=other_product, title="Secret")

    assert workspace_search(user=viewer, workspace=workspace, text="secret").groups == []
    assert workspace_search(user=viewer, workspace=workspace, text=f"SEC-{secret.number}").jump is None
    assert workspace_search(user=viewer, workspace=other_product.workspace, text="secret").groups == []


def test_merged_ideas_are_left_out(viewer, workspace, product):
    kept = IdeaFactory(product=product, title="Bulk edit")
    IdeaFactory(product=product, title="Bulk edit please", merged_into=kept)

    assert kinds(workspace_search(user=viewer, workspace=workspace, text="bulk")) == {"idea": ["Bulk edit"]}


def test_one_kind_shows_more_of_it(viewer, workspace, product):
    for n in range(12):
        FeatureFactory(product=product, title=f"Widget {n}")
    ReleaseFactory(product=product, name="Widget release")

    every = workspace_search(user=viewer, workspace=workspace, text="widget")
    features = workspace_search(user=viewer, workspace=workspace, text="widget", kind="feature")

    assert [(g.kind, len(g.hits), g.more) for g in every.groups] == [("feature", 10, True), ("release", 1, False)]
    assert [(g.kind, len(g.hits), g.more) for g in features.groups] == [("feature", 12, False)]


def test_search_query_reads_plain_words_and_web_syntax():
    assert search_query("a") is None
    assert search_query("!!") is None
    assert search_query("export csv").function == "to_tsquery"
    assert search_query("\"dark mode\" or light").function == "websearch_to_tsquery"


# The page and the dropdown

def test_the_page_lists_results_by_kind(client_as_viewer, workspace, product):
    FeatureFactory(product=product, title="Export invoices")
    GoalFactory(workspace=workspace, product=product, name="Invoice faster")

    response = client_as_viewer.get(reverse("roadmap:search", args=["acme"]), {"q": "invoice"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Export <mark>invoices</mark>" in html
    assert "<mark>Invoice</mark> faster" in html
    assert 'id="search-feature"' in html and 'id="search-goal"' in html


def test_an_exact_key_on_the_page_goes_to_the_feature(client_as_viewer, product):
    feature = FeatureFactory(product=product, title="Dark mode")

    response = client_as_viewer.get(reverse("roadmap:search", args=["acme"]), {"q": f"MOB-{feature.number}"})

    assert response.status_code == 302
    assert response.url == reverse("releases:feature_detail", args=["acme", "MOB", feature.number])


def test_a_nul_character_in_the_query_is_refused_not_an_error(client_as_viewer, product):
    page = client_as_viewer.get(reverse("roadmap:search", args=["acme"]), {"q": "ex\x00port"})
    api = client_as_viewer.get("/api/v1/w/acme/search/", {"q": "ex\x00port"})

    assert page.status_code == 400
    assert api.status_code == 400


def test_nothing_found_says_so(client_as_viewer, product):
    response = client_as_viewer.get(reverse("roadmap:search", args=["acme"]), {"q": "zebra"})

    assert response.status_code == 200
    assert "Nothing matches “zebra”" in response.content.decode()


def test_the_dropdown_is_a_partial_with_the_key_first(client_as_viewer, product):
    feature = FeatureFactory(product=product, title="Dark mode")

    response = client_as_viewer.get(reverse("roadmap:search", args=["acme"]), {"q": f"MOB-{feature.number}"},
                                    headers={"HX-Request": "true"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "Go to feature" in html and "Dark mode" in html


def test_the_top_bar_searches_the_workspace(client_as_viewer, product):
    html = client_as_viewer.get(reverse("strategy:product_detail", args=["acme", "MOB"])).content.decode()

    assert f'action="{reverse("roadmap:search", args=["acme"])}"' in html
    assert 'aria-keyshortcuts="Control+K Meta+K"' in html


def test_a_stranger_cannot_search_a_workspace(client, other_workspace, other_product):
    from ..factories import UserFactory
    client.force_login(UserFactory())

    assert client.get(reverse("roadmap:search", args=["globex"]), {"q": "secret"}).status_code == 404


@pytest.mark.parametrize("htmx", [False, True])
def test_search_queries_do_not_grow_with_rows(client_as_viewer, workspace, product, htmx):
    url = reverse("roadmap:search", args=["acme"])
    headers = {"HX-Request": "true"} if htmx else {}

    def make(n):
        for i in range(n):
            FeatureFactory(product=product, title=f"Alpha {i}", description="alpha beta")
            ReleaseFactory(product=product, name=f"Alpha {i}")
            GoalFactory(workspace=workspace, product=product, name=f"Alpha {i}")
            InitiativeFactory(workspace=workspace, product=product, name=f"Alpha {i}")
            IdeaFactory(product=product, title=f"Alpha {i}")

    make(1)
    client_as_viewer.get(url, {"q": "alpha"}, headers=headers)  # the session's first request reads more
    few = count_queries(lambda: client_as_viewer.get(url, {"q": "alpha"}, headers=headers))
    make(15)
    many = count_queries(lambda: client_as_viewer.get(url, {"q": "alpha"}, headers=headers))
    assert many == few


# The API

def test_the_api_answers_hits_and_the_feature_of_a_key(client_as_viewer, product):
    feature = FeatureFactory(product=product, title="Dark mode export")
    ReleaseFactory(product=product, name="Export release")

    body = client_as_viewer.get("/api/v1/w/acme/search/", {"q": "export"}).json()
    by_key = client_as_viewer.get("/api/v1/w/acme/search/", {"q": f"MOB-{feature.number}"}).json()
    # The old address names the workspace in the query.
    assert client_as_viewer.get("/api/v1/search/", {"workspace": "acme", "q": "export"}).json() == body

    assert [(hit["kind"], hit["title"]) for hit in body["results"]] == [
        ("feature", "Dark mode export"), ("release", "Export release")]
    assert body["results"][0]["title_html"] == "Dark mode <mark>export</mark>"
    assert body["feature"] is None and body["more"] == []
    assert by_key["feature"]["id"] == feature.pk


def test_the_api_names_each_bad_field(client_as_viewer):
    response = client_as_viewer.get("/api/v1/w/acme/search/", {"kind": "spaceship"})
    unnamed = client_as_viewer.get("/api/v1/search/", {"q": "export"})

    assert response.status_code == 400
    assert set(response.json()) == {"q", "kind"}
    assert unnamed.status_code == 400
    assert set(unnamed.json()) == {"workspace"}


def test_the_api_hides_other_workspaces(client_as_viewer, other_product):
    assert client_as_viewer.get("/api/v1/w/globex/search/", {"q": "x1"}).status_code == 404
    assert client_as_viewer.get("/api/v1/search/", {"workspace": "globex", "q": "x1"}).status_code == 404


def test_the_api_is_in_the_schema(client_as_viewer):
    schema = client_as_viewer.get(reverse("roadmap:api_schema"), {"format": "json"}).json()

    assert "/api/v1/w/{ws}/search/" in schema["paths"]
