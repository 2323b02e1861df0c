"""Goal, key result, check-in and initiative pages through Django's test client: what
viewers read, what editors change (checked in the database), bad input kept in the form,
roles (403) and workspaces (404), the htmx check-in, and flat query counts."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from strategy import services
from strategy.models import CheckIn, Goal, Initiative, KeyResult, Product
from tests.conftest import count_queries
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db



# --- helpers ----------------------------------------------------------------


def _goal(actor, workspace, *, product=None, name="Grow weekly shoppers", start=None, end=None, **extra):
    today = timezone.localdate()
    return services.goal_create(
        actor=actor, workspace=workspace, product=product, name=name,
        start_date=start or today - timedelta(days=30), end_date=end or today + timedelta(days=60), **extra,
    )


def _key_result(actor, goal, *, name="Weekly active shoppers", start="100", target="200", current=None, unit=""):
    return services.key_result_create(
        actor=actor, goal=goal, name=name, unit=unit, start_value=Decimal(start), target_value=Decimal(target),
        current_value=Decimal(current) if current is not None else None,
    )


def _goal_data(**overrides) -> dict:
    data = {
        "product": "",
        "name": "Make checkout effortless",
        "description": "Fewer **steps**.",
        "owner": "",
        "start_date": "2026-10-01",
        "end_date": "2026-12-31",
    }
    data.update(overrides)
    return data


def _kr_data(**overrides) -> dict:
    data = {"name": "Checkout conversion", "unit": "%", "direction": "up", "start_value": "2.1",
            "target_value": "3.0", "current_value": ""}
    data.update(overrides)
    return data


def _initiative_data(**overrides) -> dict:
    data = {"name": "One-page checkout", "status": "active", "colour": "#4f46e5", "start_date": "",
            "end_date": "", "description": "", "goals": []}
    data.update(overrides)
    return data


def _snapshot() -> tuple:
    return (
        list(Goal.objects.order_by("pk").values()),
        list(KeyResult.objects.order_by("pk").values()),
        list(CheckIn.objects.order_by("pk").values()),
        list(Initiative.objects.order_by("pk").values()),
        sorted(Initiative.goals.through.objects.values_list("initiative_id", "goal_id")),
    )


# --- reading ----------------------------------------------------------------


def test_a_viewer_reads_the_workspace_goals_grouped_company_wide_first(client_as_viewer, workspace, editor, product):
    company = _goal(editor, workspace, name="Grow revenue")
    _key_result(editor, company, current="150")
    mine = _goal(editor, workspace, product=product, name="Shoppers come back weekly")
    _key_result(editor, mine)

    response = client_as_viewer.get(reverse("strategy:goal_list", args=[workspace.slug]))

    assert response.status_code == 200
    html = response.content.decode()
    results = html[html.index('id="goal-results"'):]
    assert results.index("Company-wide") < results.index("Mobile App") < results.index("Shoppers come back weekly")
    assert "Grow revenue" in html
    assert 'role="img"' in html  # the progress bars
    assert "goal-status--" in html
    assert "days left" in html
    assert reverse("strategy:goal_create", args=[workspace.slug]) not in html  # no edit controls for viewers


def test_the_goal_list_filters_by_status_product_owner_and_time_frame(client_as_viewer, workspace, editor, product,
                                                                      today):
    ahead = _goal(editor, workspace, product=product, name="Ahead of plan")
    _key_result(editor, ahead, current="200")  # 100 % → achieved
    _goal(editor, workspace, name="Nothing measured", owner=editor)
    _goal(editor, workspace, name="Long gone", start=today - timedelta(days=200), end=today - timedelta(days=100))
    url = reverse("strategy:goal_list", args=[workspace.slug])

    default = client_as_viewer.get(url).content.decode()
    assert "Ahead of plan" in default and "Nothing measured" in default
    assert "Long gone" not in default  # past goals are hidden by default

    achieved = client_as_viewer.get(url, {"status": "achieved"}).content.decode()
    assert "Ahead of plan" in achieved and "Nothing measured" not in achieved

    company = client_as_viewer.get(url, {"product": "company"}).content.decode()
    assert "Nothing measured" in company and "Ahead of plan" not in company

    by_key = client_as_viewer.get(url, {"product": "mob"}).content.decode()
    assert "Ahead of plan" in by_key and "Nothing measured" not in by_key

    owned = client_as_viewer.get(url, {"owner": editor.pk}).content.decode()
    assert "Nothing measured" in owned and "Ahead of plan" not in owned

    past = client_as_viewer.get(url, {"timeframe": "past"}).content.decode()
    assert "Long gone" in past and "Ahead of plan" not in past


def test_an_empty_workspace_explains_goals_and_offers_the_first(client_as_editor, workspace):
    html = client_as_editor.get(reverse("strategy:goal_list", args=[workspace.slug])).content.decode()

    assert "Goals say what success looks like" in html
    assert reverse("strategy:goal_create", args=[workspace.slug]) in html


def test_an_htmx_filter_returns_only_the_results(client_as_viewer, workspace, editor):
    _goal(editor, workspace, name="Grow revenue")

    response = client_as_viewer.get(reverse("strategy:goal_list", args=[workspace.slug]), {"timeframe": "all"},
                                    HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert 'id="goal-results"' in html and "Grow revenue" in html
    assert "<html" not in html and "goal-filters" not in html


def test_the_product_goals_page_shows_its_goals_and_its_lines(client_as_viewer, workspace, editor):
    line = ProductFactory(workspace=workspace, name="Commerce", key="COM", kind=Product.Kind.LINE)
    shop = ProductFactory(workspace=workspace, name="Storefront", key="SHOP", parent=line)
    other = ProductFactory(workspace=workspace, name="Payments", key="PAY")
    _goal(editor, workspace, product=shop, name="Checkout converts")
    _goal(editor, workspace, product=line, name="Line-wide growth")
    _goal(editor, workspace, product=other, name="Payments goal")
    _goal(editor, workspace, name="Company goal")

    html = client_as_viewer.get(reverse("strategy:product_goal_list", args=[workspace.slug, "SHOP"])).content.decode()

    assert "Checkout converts" in html and "Line-wide growth" in html
    assert "Payments goal" not in html and "Company goal" not in html


def test_a_viewer_reads_a_goal_with_key_results_check_ins_and_charts(client_as_viewer, workspace, editor, product):
    goal = _goal(editor, workspace, product=product, description="Because **shoppers** matter")
    kr = _key_result(editor, goal, unit="users")
    services.key_result_check_in(actor=editor, key_result=kr, value=Decimal("130"), note="Promo <b>week</b>")
    initiative = services.initiative_create(actor=editor, product=product, name="Saved carts", goals=[goal])

    response = client_as_viewer.get(reverse("strategy:goal_detail", args=[workspace.slug, goal.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>shoppers</strong>" in html  # Markdown rendered
    assert "Weekly active shoppers" in html and "130 users" in html
    assert "100 users" in html and "200 users" in html and "↑" in html
    assert 'class="chart-spark"' in html
    assert "Promo &lt;b&gt;week&lt;/b&gt;" in html  # notes escaped
    assert initiative.name in html
    assert "created this" in html  # change history
    assert "Save check-in" not in html  # no forms for viewers
    assert reverse("strategy:goal_edit", args=[workspace.slug, goal.pk]) not in html


def test_the_check_in_page_draws_every_check_in_over_time(client_as_viewer, workspace, editor):
    goal = _goal(editor, workspace)
    kr = _key_result(editor, goal)
    for value in ("110", "125"):
        services.key_result_check_in(actor=editor, key_result=kr, value=Decimal(value))

    response = client_as_viewer.get(reverse("strategy:key_result_check_in", args=[workspace.slug, goal.pk, kr.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="chart-line-chart"' in html
    assert html.count('class="chart-dot"') == 3
    assert "Target 200" in html
    assert "Save check-in" not in html  # viewers read only


# --- goals: create, edit, delete --------------------------------------------


def test_an_editor_creates_a_company_wide_goal(client_as_editor, workspace, editor):
    response = client_as_editor.post(reverse("strategy:goal_create", args=[workspace.slug]),
                                     _goal_data(owner=editor.pk))

    goal = Goal.objects.get(name="Make checkout effortless")
    assert response.status_code == 302
    assert response["Location"] == reverse("strategy:goal_detail", args=[workspace.slug, goal.pk])
    assert goal.product is None and goal.owner == editor and goal.workspace == workspace
    assert goal.created_by == editor
    assert goal.history.first().history_user == editor


def test_the_goal_form_offers_active_products_and_company_wide_and_preselects(
        client_as_editor, workspace, editor, product, other_product):
    archived = ProductFactory(workspace=workspace, name="Old App", key="OLD", archived_at=timezone.now())

    response = client_as_editor.get(reverse("strategy:goal_create", args=[workspace.slug]), {"product": "mob"})

    form = response.context["form"]
    assert list(form.fields["product"].queryset) == [product]
    assert form.fields["product"].empty_label == "Company-wide"
    assert form["product"].value() == product.pk
    assert archived.name not in response.content.decode() and other_product.name not in response.content.decode()

    client_as_editor.post(reverse("strategy:goal_create", args=[workspace.slug]), _goal_data(product=product.pk))
    assert Goal.objects.get().product == product


@pytest.mark.parametrize(("overrides", "field"), [
    ({"end_date": "2026-09-01"}, "end_date"),
    ({"name": "  "}, "name"),
    ({"start_date": ""}, "start_date"),
])
def test_a_bad_goal_keeps_the_form_with_field_errors_and_saves_nothing(
        client_as_editor, workspace, overrides, field):
    response = client_as_editor.post(reverse("strategy:goal_create", args=[workspace.slug]), _goal_data(**overrides))

    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert 'class="field__errors"' in response.content.decode()
    assert not Goal.objects.exists()


def test_a_goal_cannot_be_given_another_workspaces_product(client_as_editor, workspace, other_product):
    response = client_as_editor.post(reverse("strategy:goal_create", args=[workspace.slug]),
                                     _goal_data(product=other_product.pk))

    assert response.status_code == 200 and response.context["form"].errors["product"]
    assert not Goal.objects.exists()


def test_an_editor_edits_and_deletes_a_goal(client_as_editor, workspace, editor, product):
    goal = _goal(editor, workspace)
    _key_result(editor, goal)

    edit = client_as_editor.post(reverse("strategy:goal_edit", args=[workspace.slug, goal.pk]),
                                 _goal_data(name="Renamed", product=product.pk))
    goal.refresh_from_db()
    assert edit.status_code == 302 and goal.name == "Renamed" and goal.product == product

    bad = client_as_editor.post(reverse("strategy:goal_edit", args=[workspace.slug, goal.pk]),
                                _goal_data(end_date="2020-01-01"))
    goal.refresh_from_db()
    assert bad.status_code == 200 and bad.context["form"].errors["end_date"] and goal.end_date != date(2020, 1, 1)

    confirm = client_as_editor.get(reverse("strategy:goal_delete", args=[workspace.slug, goal.pk]))
    assert confirm.status_code == 200 and "1 key result" in confirm.content.decode()
    assert Goal.objects.filter(pk=goal.pk).exists()

    deleted = client_as_editor.post(reverse("strategy:goal_delete", args=[workspace.slug, goal.pk]))
    assert deleted.status_code == 302
    assert deleted["Location"] == reverse("strategy:product_goal_list", args=[workspace.slug, product.key])
    assert not Goal.objects.filter(pk=goal.pk).exists() and not KeyResult.objects.exists()


# --- key results and check-ins -----------------------------------------------


def test_an_editor_adds_a_key_result_whose_current_value_is_the_first_check_in(client_as_editor, workspace, editor):
    goal = _goal(editor, workspace)

    response = client_as_editor.post(reverse("strategy:key_result_create", args=[workspace.slug, goal.pk]),
                                     _kr_data(current_value="2.4"))

    kr = KeyResult.objects.get(goal=goal)
    assert response.status_code == 302
    assert response["Location"] == reverse("strategy:goal_detail", args=[workspace.slug, goal.pk]) + f"#kr-{kr.pk}"
    assert (kr.name, kr.unit, kr.direction) == ("Checkout conversion", "%", "up")
    assert (kr.start_value, kr.target_value, kr.current_value) == (Decimal("2.1"), Decimal("3.0"), Decimal("2.4"))
    (check_in,) = kr.check_ins.all()
    assert check_in.value == Decimal("2.4") and check_in.author == editor


@pytest.mark.parametrize(("overrides", "field"), [
    ({"target_value": "2.1"}, "target_value"),  # target equal to start
    ({"direction": "down"}, "direction"),  # a decrease with a target above the start
    ({"direction": "up", "start_value": "5", "target_value": "3"}, "direction"),
    ({"name": ""}, "name"),
])
def test_a_bad_key_result_keeps_the_form_with_field_errors_and_saves_nothing(
        client_as_editor, workspace, editor, overrides, field):
    goal = _goal(editor, workspace)

    url = reverse("strategy:key_result_create", args=[workspace.slug, goal.pk])
    response = client_as_editor.post(url, _kr_data(**overrides))

    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not KeyResult.objects.exists() and not CheckIn.objects.exists()


def test_the_key_result_form_explains_progress(client_as_editor, workspace, editor):
    goal = _goal(editor, workspace)

    html = client_as_editor.get(reverse("strategy:key_result_create", args=[workspace.slug, goal.pk])).content.decode()

    assert "(current − start) ÷ (target − start)" in html
    assert 'name="current_value"' in html


def test_an_editor_edits_and_deletes_a_key_result(client_as_editor, workspace, editor):
    goal = _goal(editor, workspace)
    kr = _key_result(editor, goal)
    url = reverse("strategy:key_result_edit", args=[workspace.slug, goal.pk, kr.pk])

    form_page = client_as_editor.get(url)
    assert 'name="current_value"' not in form_page.content.decode()  # current changes through check-ins

    client_as_editor.post(url, _kr_data(name="Weekly shoppers", start_value="100", target_value="250", unit="users"))
    kr.refresh_from_db()
    assert (kr.name, kr.target_value, kr.current_value) == ("Weekly shoppers", Decimal("250"), Decimal("100"))

    client_as_editor.post(reverse("strategy:key_result_delete", args=[workspace.slug, goal.pk, kr.pk]))
    assert not KeyResult.objects.filter(pk=kr.pk).exists()


def test_checking_in_without_javascript_records_the_value_and_returns_to_the_goal(
        client_as_editor, workspace, editor):
    goal = _goal(editor, workspace)
    kr = _key_result(editor, goal)
    before = client_as_editor.get(reverse("strategy:goal_detail", args=[workspace.slug, goal.pk])).context["health"]

    response = client_as_editor.post(reverse("strategy:key_result_check_in", args=[workspace.slug, goal.pk, kr.pk]),
                                     {"value": "150", "note": "Launch week"})

    assert response.status_code == 302
    assert response["Location"] == reverse("strategy:goal_detail", args=[workspace.slug, goal.pk]) + f"#kr-{kr.pk}"
    kr.refresh_from_db()
    assert kr.current_value == Decimal("150")
    latest = kr.check_ins.order_by("-id").first()
    assert (latest.value, latest.note, latest.author) == (Decimal("150"), "Launch week", editor)
    after = client_as_editor.get(reverse("strategy:goal_detail", args=[workspace.slug, goal.pk])).context["health"]
    assert before.progress == Decimal("0.0") and after.progress == Decimal("50.0")


def test_an_htmx_check_in_returns_the_key_result_row_and_announces_it(client_as_editor, workspace, editor):
    goal = _goal(editor, workspace)
    kr = _key_result(editor, goal, unit="users")

    response = client_as_editor.post(reverse("strategy:key_result_check_in", args=[workspace.slug, goal.pk, kr.pk]),
                                     {"value": "175", "note": ""}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    html = response.content.decode()
    assert html.strip().startswith(f'<tr id="kr-{kr.pk}"')
    assert "175 users" in html and "75%" in html
    assert "<html" not in html
    assert "check-in-recorded" in response["HX-Trigger"]
    kr.refresh_from_db()
    assert kr.current_value == Decimal("175")


def test_the_goal_summary_partial_refreshes_progress_and_the_status_pill(client_as_editor, workspace, editor):
    goal = _goal(editor, workspace)
    _key_result(editor, goal, current="200")

    response = client_as_editor.get(reverse("strategy:goal_detail", args=[workspace.slug, goal.pk]),
                                    {"part": "summary"},
                                    HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert 'id="goal-summary"' in html and "100%" in html
    assert 'hx-swap-oob="true"' in html and "Achieved" in html
    assert "<html" not in html


def test_a_bad_htmx_check_in_returns_the_row_with_the_error_and_saves_nothing(client_as_editor, workspace, editor):
    goal = _goal(editor, workspace)
    kr = _key_result(editor, goal)

    response = client_as_editor.post(reverse("strategy:key_result_check_in", args=[workspace.slug, goal.pk, kr.pk]),
                                     {"value": "lots"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="kr-{kr.pk}"' in html and "Enter a number." in html and " open>" in html
    assert "HX-Trigger" not in response
    assert kr.check_ins.count() == 1


def test_a_bad_check_in_without_javascript_shows_the_check_in_page_with_errors(client_as_editor, workspace, editor):
    goal = _goal(editor, workspace)
    kr = _key_result(editor, goal)

    response = client_as_editor.post(reverse("strategy:key_result_check_in", args=[workspace.slug, goal.pk, kr.pk]),
                                     {"value": ""})

    assert response.status_code == 200
    assert response.context["form"].errors["value"]
    assert kr.check_ins.count() == 1


# --- initiatives --------------------------------------------------------------


def test_an_editor_creates_edits_and_deletes_an_initiative(client_as_editor, workspace, editor, product):
    goal = _goal(editor, workspace, product=product, name="Checkout converts")
    company = _goal(editor, workspace, name="Grow revenue")
    list_url = reverse("strategy:initiative_list", args=[workspace.slug, product.key])

    created = client_as_editor.post(reverse("strategy:initiative_create", args=[workspace.slug, product.key]),
                                    _initiative_data(goals=[goal.pk, company.pk], start_date="2026-10-01",
                                                     end_date="2026-12-31"))
    initiative = Initiative.objects.get()
    assert created.status_code == 302
    assert set(initiative.goals.all()) == {goal, company}
    assert (initiative.product, initiative.colour, initiative.status) == (product, "#4f46e5", "active")

    edit_url = reverse("strategy:initiative_edit", args=[workspace.slug, product.key, initiative.pk])
    client_as_editor.post(edit_url, _initiative_data(name="Faster checkout", goals=[goal.pk], status="done"))
    initiative.refresh_from_db()
    assert initiative.name == "Faster checkout" and list(initiative.goals.all()) == [goal]

    bad = client_as_editor.post(edit_url, _initiative_data(start_date="2026-12-01", end_date="2026-11-01",
                                                           colour="blue"))
    assert bad.status_code == 200
    assert bad.context["form"].errors["colour"]

    client_as_editor.post(reverse("strategy:initiative_delete", args=[workspace.slug, product.key, initiative.pk]))
    assert not Initiative.objects.exists()
    assert Goal.objects.filter(pk=goal.pk).exists()
    assert client_as_editor.get(list_url).status_code == 200


def test_initiative_dates_in_the_wrong_order_are_a_field_error(client_as_editor, workspace, product):
    response = client_as_editor.post(reverse("strategy:initiative_create", args=[workspace.slug, product.key]),
                                     _initiative_data(start_date="2026-12-01", end_date="2026-11-01"))

    assert response.status_code == 200 and response.context["form"].errors["end_date"]
    assert not Initiative.objects.exists()


def test_a_goal_of_another_workspace_cannot_be_chosen_for_an_initiative(
        client_as_editor, workspace, editor, product, other_workspace):
    boss = other_workspace.memberships.get().user
    foreign = _goal(boss, other_workspace, name="Secret goal")

    form_page = client_as_editor.get(reverse("strategy:initiative_create", args=[workspace.slug, product.key]))
    assert "Secret goal" not in form_page.content.decode()

    response = client_as_editor.post(reverse("strategy:initiative_create", args=[workspace.slug, product.key]),
                                     _initiative_data(goals=[foreign.pk]))
    assert response.status_code == 200 and response.context["form"].errors["goals"]
    assert not Initiative.objects.exists()


def test_the_initiative_pages_show_the_goals_served_with_their_status(client_as_viewer, workspace, editor, product):
    goal = _goal(editor, workspace, product=product, name="Checkout converts")
    _key_result(editor, goal, current="200")
    initiative = services.initiative_create(actor=editor, product=product, name="One-page checkout",
                                            description="Collapse **four** steps", goals=[goal], colour="#10b981")

    listing = client_as_viewer.get(reverse("strategy:initiative_list", args=[workspace.slug,
                                                                             product.key])).content.decode()
    assert "One-page checkout" in listing and "Checkout converts" in listing and "Achieved" in listing
    assert "Collapse four steps" in listing and "--chip: #10b981" in listing
    assert reverse("strategy:initiative_create", args=[workspace.slug, product.key]) not in listing

    detail = client_as_viewer.get(reverse("strategy:initiative_detail", args=[workspace.slug, product.key,
                                                                              initiative.pk]))
    html = detail.content.decode()
    assert "<strong>four</strong>" in html and "Checkout converts" in html and "100%" in html
    assert "created this" in html


# --- permissions --------------------------------------------------------------


def test_viewers_posts_are_refused_and_change_nothing(client_as_viewer, workspace, editor, product):
    goal = _goal(editor, workspace, product=product)
    kr = _key_result(editor, goal)
    initiative = services.initiative_create(actor=editor, product=product, name="Saved carts", goals=[goal])
    before = _snapshot()
    ws, key = workspace.slug, product.key
    posts = [
        (reverse("strategy:goal_create", args=[ws]), _goal_data()),
        (reverse("strategy:goal_edit", args=[ws, goal.pk]), _goal_data(name="Hijacked")),
        (reverse("strategy:goal_delete", args=[ws, goal.pk]), {}),
        (reverse("strategy:key_result_create", args=[ws, goal.pk]), _kr_data()),
        (reverse("strategy:key_result_edit", args=[ws, goal.pk, kr.pk]), _kr_data()),
        (reverse("strategy:key_result_delete", args=[ws, goal.pk, kr.pk]), {}),
        (reverse("strategy:key_result_check_in", args=[ws, goal.pk, kr.pk]), {"value": "999"}),
        (reverse("strategy:initiative_create", args=[ws, key]), _initiative_data()),
        (reverse("strategy:initiative_edit", args=[ws, key, initiative.pk]), _initiative_data(name="Hijacked")),
        (reverse("strategy:initiative_delete", args=[ws, key, initiative.pk]), {}),
    ]

    for url, data in posts:
        assert client_as_viewer.post(url, data).status_code == 403, url
    assert client_as_viewer.post(posts[6][0], {"value": "999"}, HTTP_HX_REQUEST="true").status_code == 403
    assert client_as_viewer.get(reverse("strategy:goal_edit", args=[ws, goal.pk])).status_code == 403
    assert client_as_viewer.get(reverse("strategy:goal_create", args=[ws])).status_code == 403
    assert _snapshot() == before


def test_another_workspaces_goals_and_initiatives_are_not_found(client_as_editor, workspace, other_workspace,
                                                               other_product):
    boss = other_workspace.memberships.get().user
    goal = _goal(boss, other_workspace, product=other_product)
    kr = _key_result(boss, goal)
    initiative = services.initiative_create(actor=boss, product=other_product, name="Secret", goals=[goal])
    before = _snapshot()

    for url in [
        reverse("strategy:goal_detail", args=[workspace.slug, goal.pk]),
        reverse("strategy:goal_edit", args=[workspace.slug, goal.pk]),
        reverse("strategy:key_result_check_in", args=[workspace.slug, goal.pk, kr.pk]),
        reverse("strategy:goal_detail", args=[other_workspace.slug, goal.pk]),
        reverse("strategy:goal_list", args=[other_workspace.slug]),
        reverse("strategy:initiative_detail", args=[other_workspace.slug, other_product.key, initiative.pk]),
        reverse("strategy:initiative_list", args=[workspace.slug, other_product.key]),
    ]:
        assert client_as_editor.get(url).status_code == 404, url
    assert client_as_editor.post(reverse("strategy:key_result_check_in", args=[workspace.slug, goal.pk, kr.pk]),
                                 {"value": "5"}).status_code == 404
    assert client_as_editor.post(reverse("strategy:goal_delete", args=[workspace.slug, goal.pk])).status_code == 404
    assert _snapshot() == before


def test_a_key_result_of_another_goal_is_not_found(client_as_editor, workspace, editor):
    first, second = _goal(editor, workspace, name="First"), _goal(editor, workspace, name="Second")
    kr = _key_result(editor, first)

    check_in = reverse("strategy:key_result_check_in", args=[workspace.slug, second.pk, kr.pk])
    delete = reverse("strategy:key_result_delete", args=[workspace.slug, second.pk, kr.pk])
    assert client_as_editor.get(check_in).status_code == 404
    assert client_as_editor.post(delete).status_code == 404
    assert KeyResult.objects.filter(pk=kr.pk).exists()


def test_an_initiative_of_another_product_is_not_found(client_as_editor, workspace, editor, product):
    other = ProductFactory(workspace=workspace, name="Payments", key="PAY")
    initiative = services.initiative_create(actor=editor, product=other, name="Payouts")

    url = reverse("strategy:initiative_detail", args=[workspace.slug, product.key, initiative.pk])
    assert client_as_editor.get(url).status_code == 404


# --- query counts -------------------------------------------------------------


def _goals_with_key_results(actor, workspace, products, count, key_results=3, check_ins=0):
    for i in range(count):
        goal = _goal(actor, workspace, product=products[i % len(products)] if products else None, name=f"Goal {i}",
                     owner=actor)
        for k in range(key_results):
            kr = _key_result(actor, goal, name=f"KR {i}.{k}")
            for c in range(check_ins):
                services.key_result_check_in(actor=actor, key_result=kr, value=Decimal(110 + c), note=f"n{c}")


def test_the_goal_list_costs_the_same_queries_for_2_or_20_goals(client_as_viewer, workspace, editor, product):
    products = [None, product, ProductFactory(workspace=workspace, name="Web", key="WEB")]
    url = reverse("strategy:goal_list", args=[workspace.slug])
    _goals_with_key_results(editor, workspace, products, 2)
    client_as_viewer.get(url)  # warm caches that are not the page's own
    few = count_queries(lambda: client_as_viewer.get(url))

    _goals_with_key_results(editor, workspace, products, 18)
    assert count_queries(lambda: client_as_viewer.get(url)) == few


def test_the_product_goal_list_costs_the_same_queries_for_2_or_20_goals(client_as_viewer, workspace, editor, product):
    url = reverse("strategy:product_goal_list", args=[workspace.slug, product.key])
    _goals_with_key_results(editor, workspace, [product], 2)
    client_as_viewer.get(url)
    few = count_queries(lambda: client_as_viewer.get(url))

    _goals_with_key_results(editor, workspace, [product], 18)
    assert count_queries(lambda: client_as_viewer.get(url)) == few


def test_the_goal_page_costs_the_same_queries_whatever_its_key_results_and_check_ins(
        client_as_editor, workspace, editor, product):
    goal = _goal(editor, workspace, product=product)
    kr = _key_result(editor, goal)
    services.key_result_check_in(actor=editor, key_result=kr, value=Decimal("120"))
    initiative = services.initiative_create(actor=editor, product=product, name="One", goals=[goal])
    url = reverse("strategy:goal_detail", args=[workspace.slug, goal.pk])
    client_as_editor.get(url)
    few = count_queries(lambda: client_as_editor.get(url))

    for k in range(5):
        more = _key_result(editor, goal, name=f"More {k}")
        for c in range(8):
            services.key_result_check_in(actor=editor, key_result=more, value=Decimal(101 + c), note="x")
    for n in range(3):
        services.initiative_create(actor=editor, product=product, name=f"Initiative {n}", goals=[goal])
    services.goal_update(actor=editor, goal=goal, name="Renamed")
    services.initiative_update(actor=editor, initiative=initiative, name="Renamed too")
    assert count_queries(lambda: client_as_editor.get(url)) == few


def test_the_check_in_page_costs_the_same_queries_whatever_its_check_ins(client_as_editor, workspace, editor):
    goal = _goal(editor, workspace)
    kr = _key_result(editor, goal)
    url = reverse("strategy:key_result_check_in", args=[workspace.slug, goal.pk, kr.pk])
    client_as_editor.get(url)
    few = count_queries(lambda: client_as_editor.get(url))

    for c in range(12):
        services.key_result_check_in(actor=editor, key_result=kr, value=Decimal(101 + c))
    _key_result(editor, goal, name="Another")
    assert count_queries(lambda: client_as_editor.get(url)) == few


def test_the_initiative_list_costs_the_same_queries_for_1_or_10_initiatives(client_as_viewer, workspace, editor,
                                                                           product):
    goals = [_goal(editor, workspace, product=product, name=f"G{i}") for i in range(3)]
    for goal in goals:
        _key_result(editor, goal)
    url = reverse("strategy:initiative_list", args=[workspace.slug, product.key])
    services.initiative_create(actor=editor, product=product, name="I0", goals=goals[:1])
    client_as_viewer.get(url)
    few = count_queries(lambda: client_as_viewer.get(url))

    for i in range(1, 10):
        services.initiative_create(actor=editor, product=product, name=f"I{i}", goals=goals)
    assert count_queries(lambda: client_as_viewer.get(url)) == few
