"""The releases API (workflow statuses, releases with milestones and burn-up, features with
requirements, dependencies and comments), one module per topic holding its serializers and
viewsets.

Every queryset starts from the records of the user's workspaces, so another workspace's
record is a 404. A role that may not make a change is refused (403) before its input is
looked at; every write then goes through the service of the same name, whose
ValidationError becomes a 400 naming the fields (roadmap/api.py), or a 409 with the record
as it is now when the client sent a stale `version`.

Output serializers read only what the viewsets' querysets loaded (annotated counts,
`select_related` rows, prefetched goals and milestones, conflicts the viewset attached).
Input serializers are named after the services' keyword arguments; the ids they take are
looked up only among rows the requesting user may see, so another workspace's id is
refused (400 on that field) exactly like an id that does not exist."""
