"""People, workspaces and the portfolio: the records every other app hangs off."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..limits import LongTextField


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


EXTERNAL_ID_MAX_LENGTH = 200
EXTERNAL_URL_MAX_LENGTH = 500


class ExternalIdentity(models.Model):
    """Where a record came from in another tool (Jira, Aha!, a spreadsheet): its id there,
    unique among the records of one kind in one workspace, so that an import run twice
    finds what it wrote the first time; and its address there. Both empty for records
    made in Waymark."""

    external_id = models.CharField(_("external id"), max_length=EXTERNAL_ID_MAX_LENGTH, blank=True, default="")
    external_url = models.URLField(_("external URL"), max_length=EXTERNAL_URL_MAX_LENGTH, blank=True, default="")

    class Meta:
        abstract = True

    def clean_fields(self, exclude=None) -> None:
        """Field rules, and the external id unique among this kind's records of the workspace
        (the `*_external_id_unique` constraint, checked first so that it is a message on the field)."""
        errors = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as exc:
            errors = exc.message_dict
        self.external_id = (self.external_id or "").strip()
        if (self.external_id and "external_id" not in errors and not getattr(self, "_external_id_checked", False)
                and type(self)._default_manager.filter(
                workspace_id=self.workspace_id, external_id=self.external_id).exclude(pk=self.pk).exists()):
            errors["external_id"] = [_("Another record of this kind in the workspace has the external id %(id)s.")
                                     % {"id": self.external_id}]
        if errors:
            raise ValidationError(errors)


def external_id_unique(name: str) -> models.UniqueConstraint:
    """The constraint every model with an ExternalIdentity carries: one record per external id
    and workspace (empty ids, records made in Waymark, are not counted)."""
    return models.UniqueConstraint(fields=["workspace", "external_id"], condition=~models.Q(external_id=""),
                                   name=name)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> User:
        if not email:
            raise ValueError("Users need an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, email: str) -> User:
        # Addresses are stored lower-cased; whatever case people type should match them.
        return self.get(email__iexact=email)

    def create_superuser(self, email: str, password: str | None = None, **fields) -> User:
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with their email address."""

    email = models.EmailField(_("email"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("staff"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]
        constraints = [
            # Sign-in matches addresses case-insensitively, so they must be unique that way too.
            models.UniqueConstraint(Lower("email"), name="strategy_user_email_unique_any_case"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.full_name or self.email

    @property
    def initials(self) -> str:
        parts = (self.full_name or self.email.split("@")[0]).replace(".", " ").split()
        return "".join(part[0] for part in parts[:2]).upper()


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    EDITOR = "editor", _("Editor")
    VIEWER = "viewer", _("Viewer")


class WorkspaceScopedQuerySet(models.QuerySet):
    """Rows that each belong to one workspace, seen only by that workspace's members: every
    selector starts from `visible_to(user)`. Subclasses name the path from a row to its
    workspace in `workspace_field`."""

    workspace_field = "workspace"

    def visible_to(self, user) -> WorkspaceScopedQuerySet:
        known = known_workspace_ids(user)
        if known is not None:
            # A list of ids rather than the membership subquery: PostgreSQL plans the page's
            # queries in a third of the time (5 ms to 2 ms on the bench's backlog window).
            return self.filter(**{f"{self.workspace_field}__in": known})
        return self.filter(**{f"{self.workspace_field}__in": Workspace.objects.visible_to(user)})


# The attribute of a user object (one request's) that limits it to one workspace: set by
# `strategy.access.limit_to_workspace` for a workspace-scoped API request.
WORKSPACE_LIMIT_ATTR = "_waymark_workspace_limit"
# The attribute of a user object (one request's) that holds its roles, {workspace id: role},
# once `strategy.access` has read them.
ROLES_ATTR = "_waymark_roles"


def known_workspace_ids(user) -> list[int] | None:
    """The ids of the workspaces `user` sees, when this user object already holds its roles
    (read once per request by `strategy.access`), else None."""
    if not user.is_authenticated:
        return []
    roles = getattr(user, ROLES_ATTR, None)
    if roles is None:
        return None
    limit = getattr(user, WORKSPACE_LIMIT_ATTR, None)
    return sorted(roles) if limit is None else [ws_id for ws_id in roles if ws_id == limit]


class WorkspaceQuerySet(WorkspaceScopedQuerySet):
    def visible_to(self, user) -> WorkspaceQuerySet:
        if not user.is_authenticated:
            return self.none()
        workspaces = self.filter(memberships__user=user)
        limit = getattr(user, WORKSPACE_LIMIT_ATTR, None)
        return workspaces if limit is None else workspaces.filter(pk=limit)


class Workspace(TimeStampedModel):
    """One organisation. Every record in Waymark belongs to exactly one workspace."""

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    # A small image as a data: URI (PNG, JPEG or WebP), shown on shared roadmaps; kept in the
    # row so that a share page needs no file storage and no extra request.
    logo = models.TextField(_("logo"), blank=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(TimeStampedModel):
    """A user's role in one workspace."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.VIEWER)

    objects = WorkspaceScopedQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="strategy_membership_one_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) in {self.workspace}"


class InvitationQuerySet(models.QuerySet):
    def pending(self) -> InvitationQuerySet:
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)


class Invitation(TimeStampedModel):
    """An offer to join a workspace with a role, sent to an email address.

    The link carries a signed, timestamped invitation id; it expires after
    `settings.INVITATION_MAX_AGE` and works once."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email"))
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.VIEWER)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="invitations_sent"
    )
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                "workspace",
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="strategy_invitation_one_pending_per_email",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.workspace}"

    @property
    def expires_at(self) -> datetime:
        return self.created_at + settings.INVITATION_MAX_AGE

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at


class ProductQuerySet(WorkspaceScopedQuerySet):
    def active(self) -> ProductQuerySet:
        return self.filter(archived_at__isnull=True)


product_key_validator = RegexValidator(
    r"^[A-Z][A-Z0-9]{1,9}$",
    _("Use 2–10 capital letters or digits, starting with a letter (for example MOB)."),
)


class Product(ExternalIdentity, TimeStampedModel):
    """Something the organisation builds and ships. A product line is a product
    that groups other products (`kind=line`); together they form the portfolio."""

    class Kind(models.TextChoices):
        PRODUCT = "product", _("Product")
        LINE = "line", _("Product line")

    class Stage(models.TextChoices):
        DEVELOPMENT = "development", _("Development")
        LAUNCH = "launch", _("Launch")
        GROWTH = "growth", _("Growth")
        MATURITY = "maturity", _("Maturity")
        DECLINE = "decline", _("Decline")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="products")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
        verbose_name=_("product line"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PRODUCT)
    name = models.CharField(_("name"), max_length=120)
    key = models.CharField(_("key"), max_length=10, validators=[product_key_validator])
    description = LongTextField(_("description"), blank=True)
    stage = models.CharField(
        _("lifecycle stage"), max_length=20, choices=Stage.choices, default=Stage.DEVELOPMENT
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="owned_products", verbose_name=_("owner"),
    )
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    # Bumped on every save; a form or API client that read an older version is refused.
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ProductQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            external_id_unique("strategy_product_external_id_unique"),
            models.UniqueConstraint(fields=["workspace", "key"], name="strategy_product_key_unique_in_workspace"),
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("id")), name="strategy_product_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} · {self.name}"

    @property
    def is_line(self) -> bool:
        return self.kind == self.Kind.LINE

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class ApiTokenQuerySet(models.QuerySet):
    def usable(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True, user__is_active=True)


class ApiToken(TimeStampedModel):
    """A personal token for the API. Only its SHA-256 digest is stored; the
    secret is shown once, when it is created."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    # Limits chosen when the token is created: one workspace only (empty: every workspace of
    # its user), and reading only (GET, HEAD, OPTIONS).
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                                  verbose_name=_("workspace"))
    read_only = models.BooleanField(_("read only"), default=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
