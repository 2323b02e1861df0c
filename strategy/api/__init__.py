"""The strategy API, one module per topic (tenancy, positioning, goals) holding its
serializers and viewsets.

Output serializers read only what the viewsets' querysets loaded. Input serializers are
named after the services' keyword arguments; the ids they take are looked up only among
rows the requesting user may see, so another workspace's id is refused exactly like an
id that does not exist.

Every queryset starts from the records of the user's workspaces, so another workspace's
record is a 404. A role that may not edit is refused (403) before its input is looked at,
as the product endpoints do; every write then goes through the service of the same name,
whose ValidationError becomes a 400 naming the fields (roadmap/api.py)."""
