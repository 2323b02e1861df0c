"""The record viewset every viewset of the feedback API starts from, and the choice fields
its serializers share (documented as named enums)."""

from __future__ import annotations

from releases.api.fields import enum_field
from strategy.api.records import RecordViewSet as BaseRecordViewSet

from ..models import Customer, FeedbackNote, Idea, IdeaComment


class RecordViewSet(BaseRecordViewSet):
    edit_action = "feedback.edit"


SegmentField = enum_field("CustomerSegment", Customer.Segment.choices, "The customer's segment.")
IdeaStatusField = enum_field("IdeaStatus", Idea.Status.choices, "Where the idea stands.")
IdeaVisibilityField = enum_field("IdeaVisibility", Idea.Visibility.choices, "Who sees the idea.")
CommentVisibilityField = enum_field("IdeaCommentVisibility", IdeaComment.Visibility.choices,
                                    "Who sees the comment.")
NoteSourceField = enum_field("FeedbackSource", FeedbackNote.Source.choices, "Where the feedback came from.")
