"""`features_changed`: every write path of features sends it once, after commit, with the
ids of the features it wrote; a rolled-back write sends nothing."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from releases import services
from releases.models import Feature
from releases.signals import features_changed

from ..factories import ProductFactory

pytestmark = pytest.mark.django_db

MAR_1, MAR_31 = date(2026, 3, 1), date(2026, 3, 31)


@pytest.fixture
def sent():
    """The keyword arguments of every `features_changed` sent while the test runs."""
    received = []

    def receiver(sender, **kwargs):
        received.append({"feature_ids": kwargs["feature_ids"], "product_ids": kwargs["product_ids"]})

    features_changed.connect(receiver, dispatch_uid="test_signals")
    yield received
    features_changed.disconnect(dispatch_uid="test_signals")


@pytest.fixture
def three(editor, product, workflow):
    return [services.feature_create(actor=editor, product=product, title=title)
            for title in ("Saved carts", "Wish lists", "Gift cards")]


@pytest.fixture
def release(editor, product):
    return services.release_create(actor=editor, product=product, name="Spring", start_date=MAR_1,
                                   release_date=MAR_31)


def ids(*features) -> frozenset[int]:
    return frozenset(f.pk for f in features)


def test_creating_a_feature_sends_its_id_after_commit(editor, product, workflow, sent,
                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        feature = services.feature_create(actor=editor, product=product, title="Saved carts")
    assert sent == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert sent == [{"feature_ids": ids(feature), "product_ids": frozenset([product.pk])}]


WRITES = {
    "update": lambda editor, f, release, statuses: services.feature_update(actor=editor, feature=f[0],
                                                                            title="Saved baskets"),
    "delete": lambda editor, f, release, statuses: services.feature_delete(actor=editor, feature=f[0]),
    "move": lambda editor, f, release, statuses: services.feature_move(actor=editor, feature=f[0], after=f[2]),
    "requirement": lambda editor, f, release, statuses: services.requirement_create(
        actor=editor, feature=f[0], text="Works offline"),
}


@pytest.mark.parametrize("write", WRITES)
def test_each_single_write_sends_once_with_the_feature(write, editor, three, release, workflow, sent,
                                                       django_capture_on_commit_callbacks):
    feature_id = three[0].pk
    with django_capture_on_commit_callbacks(execute=True):
        WRITES[write](editor, three, release, workflow)
    assert [s["feature_ids"] for s in sent] == [frozenset([feature_id])]


def test_a_bulk_update_sends_once_with_every_feature(editor, three, release, sent,
                                                     django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.feature_bulk_update(actor=editor, features=three, release=release)
    assert [s["feature_ids"] for s in sent] == [ids(*three)]


def test_deleting_a_release_sends_once_for_the_features_it_unscheduled(editor, product, release, workflow, sent,
                                                                       django_capture_on_commit_callbacks):
    inside = [services.feature_create(actor=editor, product=product, title=t, release=release) for t in "ab"]
    services.feature_create(actor=editor, product=product, title="elsewhere")
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.release_delete(actor=editor, release=release)
    assert [s["feature_ids"] for s in sent] == [ids(*inside)]


def test_retiring_a_status_sends_once_for_the_features_it_moved(admin, editor, three, workflow, sent,
                                                                django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.workflow_status_retire(actor=admin, status=workflow["Idea"], move_to=workflow["Backlog"])
    assert [s["feature_ids"] for s in sent] == [ids(*three)]


def test_adding_and_removing_a_dependency_sends_both_features(editor, three, sent,
                                                              django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        dependency = services.dependency_add(actor=editor, feature=three[0], depends_on=three[1])
    with django_capture_on_commit_callbacks(execute=True):
        services.dependency_remove(actor=editor, dependency=dependency)
    assert [s["feature_ids"] for s in sent] == [ids(three[0], three[1])] * 2


def test_a_board_move_sends_once(client_as_editor, workspace, product, three, workflow, sent,
                                 django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as_editor.post(reverse("releases:board_move", args=[workspace.slug, product.key]),
                                         {"feature": three[1].number, "status": workflow["In design"].pk})
    assert response.status_code == 302
    assert [s["feature_ids"] for s in sent] == [ids(three[1])]


def test_a_timeline_reschedule_sends_once(client_as_editor, workspace, product, three, sent,
                                          django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as_editor.post(
            reverse("roadmap:feature_reschedule", args=[workspace.slug, product.key]),
            {"number": three[2].number, "start": "2026-04-01", "end": "2026-04-20", "version": three[2].version})
    assert response.status_code == 200
    assert [s["feature_ids"] for s in sent] == [ids(three[2])]


def test_a_rolled_back_write_sends_nothing(editor, three, release, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        services.feature_bulk_update(actor=editor, features=three, release=release)
        raise RuntimeError("the caller's transaction fails after the write")
    assert sent == []
    assert not Feature.objects.filter(release=release).exists()


def test_a_refused_bulk_update_sends_nothing(editor, workspace, three, sent, django_capture_on_commit_callbacks):
    elsewhere = services.release_create(actor=editor, product=ProductFactory(workspace=workspace, key="WEB"),
                                        name="Web spring", start_date=MAR_1, release_date=MAR_31)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        services.feature_bulk_update(actor=editor, features=three, release=elsewhere)
    assert sent == []
