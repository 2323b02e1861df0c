"""Write operations of the roadmap: the only sanctioned way to change its data. See each
module's docstring for the invariants it protects."""

from .bindings import key_result_bind, key_result_unbind, key_results_refresh, on_delivery_computed
from .health import heartbeat_record
from .sharing import (
    PARAM_KEYS,
    PREFIX_LENGTH,
    TIMELINE_KEYS,
    TOKEN_BYTES,
    digest,
    new_token,
    resolve,
    sanitise_params,
    share_link_create,
    share_link_record_view,
    share_link_revoke,
    share_link_unlock,
)
from .webhooks import (
    webhook_create,
    webhook_delete,
    webhook_delivery_attempt,
    webhook_events_dispatch,
    webhook_goal_status_check,
    webhook_ping,
    webhook_redeliver,
    webhook_secret_rotate,
    webhook_target_check,
    webhook_update,
)

__all__ = [
    "webhook_create",
    "webhook_delete",
    "webhook_delivery_attempt",
    "webhook_events_dispatch",
    "webhook_goal_status_check",
    "webhook_ping",
    "webhook_redeliver",
    "webhook_secret_rotate",
    "webhook_target_check",
    "webhook_update",

    "PARAM_KEYS",
    "PREFIX_LENGTH",
    "TIMELINE_KEYS",
    "TOKEN_BYTES",
    "digest",
    "heartbeat_record",
    "key_result_bind",
    "key_result_unbind",
    "key_results_refresh",
    "on_delivery_computed",
    "new_token",
    "resolve",
    "sanitise_params",
    "share_link_create",
    "share_link_record_view",
    "share_link_revoke",
    "share_link_unlock",
]
