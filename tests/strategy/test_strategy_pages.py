"""The strategy pages of a product through Django's test client: the overview, the vision
with its versions, personas, competitors and the comparison. Roles, tenancy, bad input,
query counts and Markdown safety; outcomes are checked in the database."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from strategy import services
from strategy.history import history_entries
from strategy.models import (
    ComparisonCriterion,
    Competitor,
    CompetitorRating,
    Initiative,
    Persona,
    Product,
    Vision,
)
from tests.conftest import count_queries
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


# --- helpers ----------------------------------------------------------------


def _url(name: str, product: Product, *args) -> str:
    return reverse(f"strategy:{name}", args=[product.workspace.slug, product.key, *args])


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _persona(editor, product, **fields) -> Persona:
    data = {"name": "Sam the shopper", "role": "Buys every week", "quote": "Two taps, please.",
            "goals": "- Reorder quickly", "pains": "- Retyping card details", "colour": "#4f46e5"}
    data.update(fields)
    return services.persona_create(actor=editor, product=product, **data)


def _competitor(editor, product, name="Etsy", **fields) -> Competitor:
    data = {"website": "https://www.etsy.com", "threat": "high", "positioning": "Handmade marketplace.",
            "strengths": "- Discovery", "weaknesses": "- Fees"}
    data.update(fields)
    return services.competitor_create(actor=editor, product=product, name=name, **data)


def _goal(editor, product, name="Grow repeat purchases", key_results=1):
    today = timezone.localdate()
    goal = services.goal_create(actor=editor, workspace=product.workspace, product=product, name=name,
                                start_date=today - timedelta(days=30), end_date=today + timedelta(days=30))
    for n in range(key_results):
        services.key_result_create(actor=editor, goal=goal, name=f"Metric {n}", start_value=Decimal(0),
                                   target_value=Decimal(100), current_value=Decimal(40))
    return goal


def _persona_data(**overrides) -> dict:
    data = {"name": "Grace", "role": "Gift buyer", "importance": "secondary", "quote": "Before Friday?",
            "description": "Buys gifts.", "goals": "- A unique gift", "pains": "- Late delivery", "colour": "#f59e0b"}
    data.update(overrides)
    return data


def _competitor_data(**overrides) -> dict:
    data = {"name": "Shop app", "website": "https://shop.app", "threat": "medium", "positioning": "Shopper app.",
            "strengths": "", "weaknesses": "", "pricing_notes": ""}
    data.update(overrides)
    return data


def _vision_data(**overrides) -> dict:
    data = {"statement": "", "target_market": "", "customer_needs": "", "value_proposition": "",
            "differentiators": "", "business_model": "", "version": ""}
    data.update(overrides)
    return data


@pytest.fixture
def strategy(product, editor):
    """A product with a vision, a persona, a competitor, a criterion with ratings, a goal and an initiative."""
    vision = services.vision_save(actor=editor, product=product, statement="Shopping made personal.",
                                  target_market="Independent shops.")
    persona = _persona(editor, product)
    competitor = _competitor(editor, product)
    criterion = services.criterion_create(actor=editor, product=product, name="Checkout speed")
    services.comparison_rate(actor=editor, product=product, ratings=[(criterion, None, 5), (criterion, competitor, 3)])
    goal = _goal(editor, product)
    initiative = services.initiative_create(actor=editor, product=product, name="One-tap checkout", status="active",
                                            goals=[goal])
    return {"vision": vision, "persona": persona, "competitor": competitor, "criterion": criterion, "goal": goal,
            "initiative": initiative}


# --- pages render for viewers -----------------------------------------------


PAGES = [
    ("strategy_overview", None, ["Shopping made personal.", "Sam the shopper", "Etsy", "Grow repeat purchases",
                                 "One-tap checkout"]),
    ("vision_history", None, ["wrote the first version"]),
    ("persona_list", None, ["Sam the shopper", "Two taps, please."]),
    ("persona_detail", "persona", ["Sam the shopper", "Retyping card details", "History"]),
    ("competitor_list", None, ["Etsy", "High threat", "Handmade marketplace."]),
    ("competitor_detail", "competitor", ["Etsy", "Discovery", "Fees", "Checkout speed", "History"]),
    ("competitor_comparison", None, ["Checkout speed", "Mobile App", "Etsy", "Average"]),
]


@pytest.mark.parametrize(("url_name", "obj", "texts"), PAGES)
def test_each_strategy_page_shows_its_data_to_a_viewer(client_as_viewer, product, strategy, url_name, obj, texts):
    args = [strategy[obj].pk] if obj else []
    response = client_as_viewer.get(_url(url_name, product, *args))
    assert response.status_code == 200
    html = response.content.decode()
    for text in texts:
        assert text in html


def test_viewers_see_no_edit_buttons(client_as_viewer, product, strategy):
    overview = client_as_viewer.get(_url("strategy_overview", product)).content.decode()
    assert f'href="{_url("vision_edit", product)}"' not in overview
    assert f'href="{_url("persona_create", product)}"' not in overview
    comparison = client_as_viewer.get(_url("competitor_comparison", product) + "?edit=1").content.decode()
    assert "Edit ratings" not in comparison
    assert "<select" not in comparison
    persona = client_as_viewer.get(_url("persona_detail", product, strategy["persona"].pk)).content.decode()
    assert f'href="{_url("persona_edit", product, strategy["persona"].pk)}"' not in persona


def test_editors_see_the_edit_actions(client_as_editor, product, strategy):
    overview = client_as_editor.get(_url("strategy_overview", product)).content.decode()
    assert f'href="{_url("vision_edit", product)}"' in overview
    assert "Edit vision" in overview


def test_the_overview_shows_goal_progress_with_its_status_and_expected_tick(client_as_viewer, product, strategy):
    html = client_as_viewer.get(_url("strategy_overview", product)).content.decode()
    assert "40%" in html
    assert "health-pill--" in html
    assert "progress__tick" in html


def test_an_empty_strategy_invites_editors_to_write_the_vision(client_as_editor, product):
    response = client_as_editor.get(_url("strategy_overview", product))
    assert response.status_code == 200
    assert "Write the vision" in response.content.decode()


def test_an_empty_comparison_asks_for_competitors_then_for_criteria(client_as_editor, product, editor):
    html = client_as_editor.get(_url("competitor_comparison", product)).content.decode()
    assert "Add competitors to compare" in html
    _competitor(editor, product)
    html = client_as_editor.get(_url("competitor_comparison", product)).content.decode()
    assert "Add the criteria customers weigh, e.g. Price, Ease of setup, Integrations" in html
    assert _url("criterion_create", product) in html


def test_competitor_websites_open_safely_in_a_new_tab(client_as_viewer, product, strategy):
    html = client_as_viewer.get(_url("competitor_list", product)).content.decode()
    assert 'href="https://www.etsy.com" target="_blank" rel="noopener noreferrer"' in html


def test_competitors_are_listed_by_threat_unless_sorted_by_name(client_as_viewer, product, editor):
    _competitor(editor, product, name="Alpha", threat="low")
    _competitor(editor, product, name="Zeta", threat="high")
    html = client_as_viewer.get(_url("competitor_list", product)).content.decode()
    assert html.index("Zeta") < html.index("Alpha")
    html = client_as_viewer.get(_url("competitor_list", product) + "?sort=name").content.decode()
    assert html.index("Alpha") < html.index("Zeta")


# --- personas ---------------------------------------------------------------


def test_an_editor_creates_a_persona(client_as_editor, product):
    response = client_as_editor.post(_url("persona_create", product), _persona_data())
    persona = Persona.objects.get(product=product)
    assert response.status_code == 302
    assert response["Location"] == _url("persona_detail", product, persona.pk)
    assert (persona.name, persona.importance, persona.colour) == ("Grace", "secondary", "#f59e0b")


def test_an_editor_edits_a_persona(client_as_editor, product, editor):
    persona = _persona(editor, product)
    response = client_as_editor.post(_url("persona_edit", product, persona.pk), _persona_data(name="Grace B."))
    assert response.status_code == 302
    persona.refresh_from_db()
    assert persona.name == "Grace B."
    assert persona.history.count() == 2


def test_deleting_a_persona_asks_first_then_deletes(client_as_editor, product, editor):
    persona = _persona(editor, product)
    confirm = client_as_editor.get(_url("persona_delete", product, persona.pk))
    assert confirm.status_code == 200
    assert "Delete persona" in confirm.content.decode()
    assert Persona.objects.filter(pk=persona.pk).exists()
    response = client_as_editor.post(_url("persona_delete", product, persona.pk))
    assert response.status_code == 302
    assert response["Location"] == _url("persona_list", product)
    assert not Persona.objects.filter(pk=persona.pk).exists()


@pytest.mark.parametrize(("field", "value"), [("colour", "blue"), ("colour", "#12345"), ("name", ""),
                                              ("importance", "vital")])
def test_a_bad_persona_keeps_the_form_with_field_errors_and_saves_nothing(client_as_editor, product, field, value):
    response = client_as_editor.post(_url("persona_create", product), _persona_data(**{field: value}))
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert "field--error" in response.content.decode()
    assert 'value="Gift buyer"' in response.content.decode()
    assert not Persona.objects.exists()


def test_personas_shared_from_the_product_line_are_marked_and_edited_on_the_line(
        client_as_editor, workspace, editor):
    line = ProductFactory(workspace=workspace, name="Commerce", key="COM", kind=Product.Kind.LINE)
    product = ProductFactory(workspace=workspace, name="Mobile", key="MOBI", parent=line)
    shared = _persona(editor, line, name="Maya the merchant")
    html = client_as_editor.get(_url("persona_list", product)).content.decode()
    assert "Maya the merchant" in html
    assert "Shared from Commerce" in html
    response = client_as_editor.get(_url("persona_edit", product, shared.pk))
    assert response.status_code == 302
    assert response["Location"] == _url("persona_edit", line, shared.pk)
    client_as_editor.post(_url("persona_delete", product, shared.pk))
    assert Persona.objects.filter(pk=shared.pk).exists()


def test_a_persona_of_another_product_is_not_found(client_as_viewer, workspace, product, editor):
    elsewhere = ProductFactory(workspace=workspace, key="WEB")
    persona = _persona(editor, elsewhere)
    assert client_as_viewer.get(_url("persona_detail", product, persona.pk)).status_code == 404


# --- competitors ------------------------------------------------------------


def test_an_editor_creates_edits_and_deletes_a_competitor(client_as_editor, product):
    response = client_as_editor.post(_url("competitor_create", product), _competitor_data())
    competitor = Competitor.objects.get(product=product)
    assert response.status_code == 302
    assert response["Location"] == _url("competitor_detail", product, competitor.pk)
    assert (competitor.name, competitor.website, competitor.threat) == ("Shop app", "https://shop.app", "medium")

    response = client_as_editor.post(_url("competitor_edit", product, competitor.pk),
                                     _competitor_data(threat="high", strengths="- Shop Pay"))
    assert response.status_code == 302
    competitor.refresh_from_db()
    assert (competitor.threat, competitor.strengths) == ("high", "- Shop Pay")

    assert client_as_editor.get(_url("competitor_delete", product, competitor.pk)).status_code == 200
    response = client_as_editor.post(_url("competitor_delete", product, competitor.pk))
    assert response.status_code == 302
    assert not Competitor.objects.filter(pk=competitor.pk).exists()


def test_a_bad_website_keeps_the_form_with_a_field_error(client_as_editor, product):
    response = client_as_editor.post(_url("competitor_create", product), _competitor_data(website="not a url"))
    assert response.status_code == 400
    assert response.context["form"].errors["website"]
    assert not Competitor.objects.exists()


def test_a_duplicate_competitor_name_is_refused_on_the_name_field(client_as_editor, product, editor):
    _competitor(editor, product, name="Shop app")
    response = client_as_editor.post(_url("competitor_create", product), _competitor_data(name="SHOP APP"))
    assert response.status_code == 400
    assert "already listed" in str(response.context["form"].errors["name"])
    assert Competitor.objects.filter(product=product).count() == 1


# --- vision -----------------------------------------------------------------


def test_an_editor_writes_the_vision(client_as_editor, product):
    response = client_as_editor.post(_url("vision_edit", product), _vision_data(statement="Personal shopping."))
    assert response.status_code == 302
    assert response["Location"] == _url("strategy_overview", product)
    vision = Vision.objects.get(product=product)
    assert (vision.statement, vision.version) == ("Personal shopping.", 1)


def test_a_stale_vision_save_is_refused_and_keeps_the_users_text(client_as_editor, product, admin):
    vision = services.vision_save(actor=admin, product=product, statement="First.")
    opened_at = vision.version
    services.vision_save(actor=admin, product=product, version=opened_at, statement="Theirs, newer.")

    response = client_as_editor.post(_url("vision_edit", product),
                                     _vision_data(statement="Mine, from the old copy.", version=opened_at))

    assert response.status_code == 400
    html = response.content.decode()
    assert "Mine, from the old copy." in html
    assert "saved a newer version" in html
    assert _url("vision_history", product) in html
    vision.refresh_from_db()
    assert vision.statement == "Theirs, newer."
    # The form is re-armed with the current version, so saving again is deliberate and works.
    assert response.context["form"].data["version"] == vision.version
    again = client_as_editor.post(_url("vision_edit", product),
                                  _vision_data(statement="Mine, from the old copy.", version=vision.version))
    assert again.status_code == 302
    vision.refresh_from_db()
    assert vision.statement == "Mine, from the old copy."


def test_browser_line_breaks_do_not_count_as_changes_to_the_vision(client_as_editor, product, editor):
    services.vision_save(actor=editor, product=product, statement="One.", customer_needs="- Speed\n- Trust")
    client_as_editor.post(_url("vision_edit", product),
                          _vision_data(statement="Two.", customer_needs="- Speed\r\n- Trust", version=1))
    vision = Vision.objects.get(product=product)
    assert vision.customer_needs == "- Speed\n- Trust"
    latest = history_entries(vision)[0]
    assert [change.label for change in latest.changes] == ["Vision statement"]


def test_restoring_a_version_makes_it_current_and_adds_a_version(client_as_editor, product, editor):
    services.vision_save(actor=editor, product=product, statement="Version one.")
    services.vision_save(actor=editor, product=product, version=1, statement="Version two.")
    vision = Vision.objects.get(product=product)
    first = vision.history.order_by("history_date").first()

    confirm = client_as_editor.get(_url("vision_history", product) + f"?confirm={first.history_id}")
    assert confirm.status_code == 200
    assert "Version one." in confirm.content.decode()
    assert _url("vision_restore", product, first.history_id) in confirm.content.decode()

    response = client_as_editor.post(_url("vision_restore", product, first.history_id))
    assert response.status_code == 302
    vision.refresh_from_db()
    assert (vision.statement, vision.version) == ("Version one.", 3)
    assert vision.history.count() == 3


def test_the_vision_history_lists_versions_newest_first_with_restore_buttons(client_as_editor, product, editor):
    services.vision_save(actor=editor, product=product, statement="Version one.")
    services.vision_save(actor=editor, product=product, version=1, statement="Version two.")
    response = client_as_editor.get(_url("vision_history", product))
    html = response.content.decode()
    assert [row["version"].version for row in response.context["rows"]] == [2, 1]
    assert response.context["rows"][0]["is_current"]
    assert html.count("Restore this version") == 1
    assert "changed vision statement" in html


def test_confirming_an_unknown_version_is_not_found(client_as_editor, product, editor):
    services.vision_save(actor=editor, product=product, statement="Only version.")
    assert client_as_editor.get(_url("vision_history", product) + "?confirm=999999").status_code == 404


def test_markdown_in_the_vision_renders_inert_on_the_overview(client_as_viewer, product, editor):
    services.vision_save(
        actor=editor, product=product,
        statement="<script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1)) **bold**",
        target_market="<script>alert(2)</script>",
    )
    html = client_as_viewer.get(_url("strategy_overview", product)).content.decode()
    assert "<strong>bold</strong>" in html
    assert "<script>alert" not in html
    assert "onerror" not in html
    assert "javascript:" not in html


# --- the comparison ---------------------------------------------------------


@pytest.fixture
def grid(product, editor):
    competitors = [_competitor(editor, product, name=name) for name in ("Etsy", "Shop app")]
    criteria = [services.criterion_create(actor=editor, product=product, name=name) for name in ("Price", "Setup")]
    return {"competitors": competitors, "criteria": criteria}


def _grid_data(grid, scores: dict) -> dict:
    data = {}
    for criterion in grid["criteria"]:
        for competitor in [None, *grid["competitors"]]:
            name = f"r{criterion.pk}_{competitor.pk if competitor else 'self'}"
            data[name] = scores.get(name, "")
    return data


def test_the_comparison_post_saves_every_cell(client_as_editor, product, grid):
    price, setup = grid["criteria"]
    etsy, shop = grid["competitors"]
    data = _grid_data(grid, {f"r{price.pk}_self": "5", f"r{price.pk}_{etsy.pk}": "2", f"r{setup.pk}_{shop.pk}": "0"})
    response = client_as_editor.post(_url("competitor_comparison", product), data)
    assert response.status_code == 302
    cells = {(r.criterion_id, r.competitor_id): r.score for r in CompetitorRating.objects.all()}
    assert cells == {(price.pk, None): 5, (price.pk, etsy.pk): 2, (setup.pk, shop.pk): 0}


def test_a_bad_cell_saves_none_of_the_comparison(client_as_editor, product, grid, editor):
    price, setup = grid["criteria"]
    etsy, _ = grid["competitors"]
    services.comparison_rate(actor=editor, product=product, ratings=[(price, etsy, 1)])
    data = _grid_data(grid, {f"r{price.pk}_self": "5", f"r{price.pk}_{etsy.pk}": "4", f"r{setup.pk}_self": "9"})
    response = client_as_editor.post(_url("competitor_comparison", product), data)
    assert response.status_code == 400
    assert response.context["form"].errors[f"r{setup.pk}_self"]
    assert "<select" in response.content.decode()
    assert {(r.criterion_id, r.competitor_id): r.score for r in CompetitorRating.objects.all()} == {
        (price.pk, etsy.pk): 1}


def test_clearing_a_cell_removes_its_rating_and_missing_cells_are_left_alone(
        client_as_editor, product, grid, editor):
    price, setup = grid["criteria"]
    etsy, shop = grid["competitors"]
    services.comparison_rate(actor=editor, product=product, ratings=[(price, etsy, 1), (setup, shop, 4)])
    data = _grid_data(grid, {f"r{price.pk}_self": "3"})
    del data[f"r{setup.pk}_{shop.pk}"]
    client_as_editor.post(_url("competitor_comparison", product), data)
    cells = {(r.criterion_id, r.competitor_id): r.score for r in CompetitorRating.objects.all()}
    assert cells == {(price.pk, None): 3, (setup.pk, shop.pk): 4}


def test_editors_get_the_grid_as_a_form_in_edit_mode(client_as_editor, product, grid):
    html = client_as_editor.get(_url("competitor_comparison", product) + "?edit=1").content.decode()
    assert html.count("<select") == 2 * 3
    assert 'aria-label="Etsy on Price"' in html


def test_the_edit_toggle_answers_htmx_with_the_grid_only(client_as_editor, product, grid):
    response = client_as_editor.get(_url("competitor_comparison", product) + "?edit=1", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="comparison"')
    assert "<select" in html
    assert "<html" not in html


def test_an_editor_adds_and_removes_a_criterion(client_as_editor, product, grid):
    response = client_as_editor.post(_url("criterion_create", product), {"name": "Integrations"})
    assert response.status_code == 302
    criterion = ComparisonCriterion.objects.get(product=product, name="Integrations")
    response = client_as_editor.post(_url("criterion_delete", product, criterion.pk))
    assert response.status_code == 302
    assert not ComparisonCriterion.objects.filter(pk=criterion.pk).exists()


def test_a_duplicate_criterion_is_refused_with_a_field_error(client_as_editor, product, grid):
    response = client_as_editor.post(_url("criterion_create", product), {"name": "price"})
    assert response.status_code == 400
    assert "already in the comparison" in response.content.decode()
    assert ComparisonCriterion.objects.filter(product=product).count() == 2


# --- roles and tenancy ------------------------------------------------------


def _snapshot(product) -> tuple:
    return (
        list(Vision.objects.filter(product=product).values()),
        list(Persona.objects.filter(product=product).order_by("pk").values()),
        list(Competitor.objects.filter(product=product).order_by("pk").values()),
        list(ComparisonCriterion.objects.filter(product=product).order_by("pk").values()),
        list(CompetitorRating.objects.order_by("pk").values()),
    )


def _viewer_posts(product, strategy):
    persona, competitor, criterion = strategy["persona"], strategy["competitor"], strategy["criterion"]
    first = strategy["vision"].history.order_by("history_date").first()
    return [
        (_url("vision_edit", product), _vision_data(statement="Hijacked.", version=strategy["vision"].version)),
        (_url("vision_restore", product, first.history_id), {}),
        (_url("persona_create", product), _persona_data()),
        (_url("persona_edit", product, persona.pk), _persona_data(name="Hijacked")),
        (_url("persona_delete", product, persona.pk), {}),
        (_url("competitor_create", product), _competitor_data()),
        (_url("competitor_edit", product, competitor.pk), _competitor_data(name="Hijacked")),
        (_url("competitor_delete", product, competitor.pk), {}),
        (_url("competitor_comparison", product), {f"r{criterion.pk}_self": "0"}),
        (_url("criterion_create", product), {"name": "Hijacked"}),
        (_url("criterion_delete", product, criterion.pk), {}),
    ]


def test_viewer_posts_are_forbidden_and_change_nothing(client_as_viewer, product, strategy):
    before = _snapshot(product)
    for url, data in _viewer_posts(product, strategy):
        assert client_as_viewer.post(url, data).status_code == 403, url
    assert _snapshot(product) == before


@pytest.mark.parametrize("url_name", ["vision_edit", "persona_create", "competitor_create"])
def test_viewers_cannot_open_the_forms(client_as_viewer, product, url_name):
    assert client_as_viewer.get(_url(url_name, product)).status_code == 403


def test_the_strategy_of_another_workspace_is_not_found(client_as_admin, other_product, other_workspace):
    boss = other_workspace.memberships.get().user
    persona = _persona(boss, other_product)
    competitor = _competitor(boss, other_product)
    services.vision_save(actor=boss, product=other_product, statement="Secret.")
    before = _snapshot(other_product)
    for name, args in [("strategy_overview", []), ("vision_edit", []), ("vision_history", []),
                       ("persona_list", []), ("persona_detail", [persona.pk]), ("competitor_list", []),
                       ("competitor_detail", [competitor.pk]), ("competitor_comparison", [])]:
        assert client_as_admin.get(_url(name, other_product, *args)).status_code == 404, name
    assert client_as_admin.post(_url("persona_delete", other_product, persona.pk)).status_code == 404
    assert client_as_admin.post(_url("competitor_create", other_product), _competitor_data()).status_code == 404
    assert _snapshot(other_product) == before


def test_signed_out_visitors_are_sent_to_sign_in(client, product):
    response = client.get(_url("strategy_overview", product))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


# --- query counts -----------------------------------------------------------


def _fill(editor, product, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        _goal(editor, product, name=f"Goal {i}", key_results=3)
        _persona(editor, product, name=f"Persona {i}", importance="primary" if i % 2 else "secondary")
        competitor = _competitor(editor, product, name=f"Competitor {i}")
        goal = _goal(editor, product, name=f"Served goal {i}", key_results=0)
        services.initiative_create(actor=editor, product=product, name=f"Initiative {i}", status="active",
                                   goals=[goal])
        criterion = services.criterion_create(actor=editor, product=product, name=f"Criterion {i}")
        services.comparison_rate(actor=editor, product=product,
                                 ratings=[(criterion, None, 4), (criterion, competitor, 2)])


@pytest.mark.parametrize("url_name", ["strategy_overview", "competitor_comparison", "persona_list",
                                      "competitor_list", "vision_history"])
def test_strategy_page_queries_do_not_grow_with_the_data(client_as_viewer, product, editor, url_name):
    services.vision_save(actor=editor, product=product, statement="One.")
    _fill(editor, product, 2)
    url = _url(url_name, product)
    client_as_viewer.get(url)  # the first request also saves the session
    few = count_queries(lambda: client_as_viewer.get(url))
    services.vision_save(actor=editor, product=product, version=1, statement="Two.")
    _fill(editor, product, 13, start=2)
    assert Initiative.objects.filter(product=product).count() == 15
    assert count_queries(lambda: client_as_viewer.get(url)) == few


def test_the_comparison_edit_mode_queries_do_not_grow_with_the_grid(client_as_editor, product, editor):
    _fill(editor, product, 2)
    url = _url("competitor_comparison", product) + "?edit=1"
    client_as_editor.get(url)
    few = count_queries(lambda: client_as_editor.get(url))
    _fill(editor, product, 13, start=2)
    assert count_queries(lambda: client_as_editor.get(url)) == few


def test_an_editor_moves_and_renames_a_criterion_from_the_comparison(client_as_editor, editor, workspace, product):
    from strategy.models import ComparisonCriterion

    services.competitor_create(actor=editor, product=product, name="Rival")
    price = services.criterion_create(actor=editor, product=product, name="Price")
    setup = services.criterion_create(actor=editor, product=product, name="Setup")
    url = reverse("strategy:criterion_edit", args=[workspace.slug, product.key, setup.pk])

    assert client_as_editor.post(url, {"direction": "up"}).status_code == 302
    client_as_editor.post(reverse("strategy:criterion_edit", args=[workspace.slug, product.key, price.pk]),
                          {"name": "Cost"})

    assert list(ComparisonCriterion.objects.filter(product=product).values_list("name", flat=True)) == [
        "Setup", "Cost"]
    page = client_as_editor.get(reverse("strategy:competitor_comparison", args=[workspace.slug,
                                                                                product.key]) + "?edit=1")
    assert reverse("strategy:criterion_edit", args=[workspace.slug, product.key, price.pk]) in page.content.decode()


def test_viewers_cannot_edit_criteria(client_as_viewer, editor, workspace, product):
    price = services.criterion_create(actor=editor, product=product, name="Price")
    response = client_as_viewer.post(reverse("strategy:criterion_edit", args=[workspace.slug, product.key, price.pk]),
                                     {"name": "Cost"})
    assert response.status_code == 403
    price.refresh_from_db()
    assert price.name == "Price"
