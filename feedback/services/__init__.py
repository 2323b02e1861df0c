"""Write operations of feedback: the only sanctioned way to change customers, contacts,
ideas, votes, feedback notes and the portal, one module per topic (see each module's
docstring for the invariants it protects). `demand` keeps the stored numbers (an idea's
votes and weighted demand, a feature's demand through releases); `loop` closes the loop
when features ship."""

from .customers import (
    CONTACT_FIELDS,
    CUSTOMER_FIELDS,
    contact_create,
    contact_delete,
    contact_update,
    customer_create,
    customer_delete,
    customer_update,
)
from .demand import customer_idea_ids, feature_demand_values, features_demand_refresh, ideas_recount
from .ideas import (
    IDEA_FIELDS,
    idea_comment_create,
    idea_create,
    idea_delete,
    idea_feature_unlink,
    idea_merge,
    idea_promote,
    idea_status_set,
    idea_update,
)
from .loop import (
    email_unsubscribe,
    features_ship,
    on_features_changed,
    shipped_notices_send,
    unsubscribe_token,
    unsubscribe_token_read,
    unsubscribe_url,
)
from .notes import NOTE_FIELDS, note_create, note_delete, note_ingest, note_link, note_process, note_unlink, note_update
from .portal import (
    portal_comment_create,
    portal_idea_submit,
    portal_is_open,
    portal_settings_update,
    portal_user_preferences_set,
    portal_user_sign_in,
)
from .voting import portal_vote_add, portal_vote_remove, vote_add, vote_remove

__all__ = [
    "CONTACT_FIELDS",
    "CUSTOMER_FIELDS",
    "IDEA_FIELDS",
    "NOTE_FIELDS",
    "contact_create",
    "contact_delete",
    "contact_update",
    "customer_create",
    "customer_delete",
    "customer_idea_ids",
    "customer_update",
    "email_unsubscribe",
    "feature_demand_values",
    "features_demand_refresh",
    "features_ship",
    "idea_comment_create",
    "idea_create",
    "idea_delete",
    "idea_feature_unlink",
    "idea_merge",
    "idea_promote",
    "idea_status_set",
    "idea_update",
    "ideas_recount",
    "note_create",
    "note_delete",
    "note_ingest",
    "note_link",
    "note_process",
    "note_unlink",
    "note_update",
    "on_features_changed",
    "portal_comment_create",
    "portal_idea_submit",
    "portal_is_open",
    "portal_settings_update",
    "portal_user_preferences_set",
    "portal_user_sign_in",
    "portal_vote_add",
    "portal_vote_remove",
    "shipped_notices_send",
    "unsubscribe_token",
    "unsubscribe_token_read",
    "unsubscribe_url",
    "vote_add",
    "vote_remove",
]
