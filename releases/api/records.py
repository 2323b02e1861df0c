"""The record viewset every viewset of the releases API starts from."""

from __future__ import annotations

from strategy.api.records import RecordViewSet as BaseRecordViewSet


class RecordViewSet(BaseRecordViewSet):
    edit_action = "releases.edit"
