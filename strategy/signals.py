"""Events of the bottom layer that higher apps may add their own setup to, without
strategy importing them (strategy ← releases ← feedback ← roadmap)."""

from django.dispatch import Signal

# Sent by services.workspace_create inside its transaction, with `workspace` and `actor`.
workspace_created = Signal()
