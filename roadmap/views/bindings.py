"""The page that binds a key result to a metric, linked from the goal page (through
`strategy.extensions.key_result_summaries`). Everyone in the workspace reads it; editors
bind, change and unbind (403 for a viewer's POST, before the form is read)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from strategy import access
from strategy import selectors as strategy_selectors
from strategy.forms import apply_service_errors
from strategy.models import Workspace
from strategy.web import workspace_view

from .. import selectors, services
from ..forms import KeyResultBindingForm
from ..models import FEATURE_METRICS, RELEASE_METRICS


@workspace_view(post_requires="strategy.edit")
@require_http_methods(["GET", "POST"])
def key_result_binding(request: HttpRequest, workspace: Workspace, goal_pk: int, pk: int) -> HttpResponse:
    """GET: which metric feeds the key result, its last value and age, and (for editors) the
    form. POST binds (or, with action=unbind, stops following the metric)."""
    goal = strategy_selectors.goal_get(user=request.user, workspace=workspace, pk=goal_pk)
    key_result = strategy_selectors.key_result_get(user=request.user, goal=goal, pk=pk)
    if goal.product is not None:
        request.product = goal.product
    goal_url = reverse("strategy:goal_detail", args=[workspace.slug, goal.pk]) + f"#kr-{key_result.pk}"
    binding = selectors.bindings_of([key_result]).get(key_result.pk)
    if request.method == "POST" and request.POST.get("action") == "unbind":
        services.key_result_unbind(actor=request.user, key_result=key_result)
        messages.success(request, _("“%(name)s” no longer follows a metric; its check-ins stay.") % {
            "name": key_result.name})
        return redirect(goal_url)
    products, releases = selectors.binding_sources(user=request.user, key_result=key_result)
    if binding is not None:
        initial = {"metric": binding.metric, "product": binding.product_id, "release": binding.release_id,
                   "feature_key": binding.feature_key}
    else:
        initial = {"product": goal.product_id if goal.product and not goal.product.is_line else None}
    form = KeyResultBindingForm(request.POST if request.method == "POST" else None, products=products,
                                releases=releases, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.key_result_bind(actor=request.user, key_result=key_result, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("“%(name)s” now follows its metric; it updates after each computation.") % {
                "name": key_result.name})
            return redirect(goal_url)
    return render(request, "roadmap/key_result_binding.html", {
        "workspace": workspace, "goal": goal, "key_result": key_result, "binding": binding, "form": form,
        "goal_url": goal_url, "can_edit": access.can(request.user, "strategy.edit", key_result),
        "release_metrics": sorted(RELEASE_METRICS), "feature_metrics": sorted(FEATURE_METRICS),
    })
