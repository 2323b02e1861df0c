"""Who reads a composed roadmap, and so what it shows: the one place that decides what a share
link may show (no links, no drag handles, no people, estimates only when the link allows)."""


from __future__ import annotations

from dataclasses import dataclass

from strategy.models import Workspace

from ..models import ShareLink


@dataclass(frozen=True)
class Audience:
    """Who reads a roadmap, and so what it shows besides the plan. Members on the pages see
    links to every record, people, estimates and the filter choices, and drag bars when they
    may edit; a share link's readers see none of that, and estimates only when it allows."""

    workspace: Workspace | None = None  # members: bars and lanes link to pages in this workspace
    editable: bool = False
    assignees: bool = False
    estimates: bool = False
    messaging: bool = False  # releases' key messages, personas and competitors (release timeline)

    @classmethod
    def member(cls, workspace: Workspace | None = None, *, editable: bool = False) -> Audience:
        return cls(workspace=workspace, editable=editable, assignees=True, estimates=True, messaging=True)

    @classmethod
    def shared(cls, link: ShareLink) -> Audience:
        return cls(estimates=link.show_estimates, messaging=link.show_messaging)
