import uuid

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken

from apps.core.validators import validate_phone


class Role(models.TextChoices):
    RESIDENT = "resident", _("居民")
    MEMBER = "member", _("党员")
    GROUP_LEADER = "group_leader", _("责任组组长")
    GRID_WORKER = "grid_worker", _("网格员")
    SECRETARY = "secretary", _("书记")
    ADMINISTRATOR = "administrator", _("管理员")
    JUROR = "juror", _("评审")


class User(AbstractUser):
    """A login. Logs in by username or by mainland mobile number."""

    name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(
        _("手机号"), max_length=11, unique=True, null=True, blank=True, validators=[validate_phone]
    )
    # 长辈模式: larger type and simpler pages, remembered for the login (any device).
    elder_mode = models.BooleanField(_("长辈模式"), default=False)

    objects = UserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.name or self.username

    def save(self, *args, **kwargs):
        self.phone = self.phone or None  # blank phones are NULL so that they stay unique
        super().save(*args, **kwargs)


class RoleAssignment(models.Model):
    """A role held at a node of the geography tree (or of the Party tree).

    The role sees and acts on that node's whole subtree and nothing else.
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="role_assignments", verbose_name=_("用户")
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    area = models.ForeignKey(
        "register.Area",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="role_assignments",
        verbose_name=_("区域节点"),
    )
    party_org = models.ForeignKey(
        "register.PartyOrg",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="role_assignments",
        verbose_name=_("党组织节点"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("角色分配")
        verbose_name_plural = _("角色分配")
        constraints = [
            models.CheckConstraint(
                condition=Q(area__isnull=False) | Q(party_org__isnull=False),
                name="role_assignment_has_node",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "area", "party_org"], name="role_assignment_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} @ {self.area or self.party_org}"


class DeviceToken(AbstractAuthToken):
    """An API token for one device (django-rest-knox's token, with a name and a public id):
    each login makes one, logout ends only the caller's, and each expires
    (`REST_KNOX["TOKEN_TTL"]`). Knox stores only a digest of the token."""

    public_id = models.UUIDField(_("编号"), default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("设备名称"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("登录设备")
        verbose_name_plural = _("登录设备")


class PhoneCode(models.Model):
    """A one-time SMS code (登录 or 重设密码) for a phone number.

    Neither the code nor the phone is stored: both are HMAC digests under SECRET_KEY (a
    6-digit code is found by trying the million candidates against any plain or salted
    hash; the HMAC needs the key too). A row is written for an unknown phone as well, so
    that asking for and trying a code take the same path whether or not the phone has an
    account; only a row with a `user` is ever sent. `attempts` is taken with a conditional
    UPDATE before each comparison and `used_at` set the same way, so parallel guesses get
    at most `SMS_CODE_MAX_ATTEMPTS` comparisons and a right code logs in once."""

    class Purpose(models.TextChoices):
        LOGIN = "login", _("登录")
        RESET = "reset", _("重设密码")

    phone_digest = models.CharField(_("手机号摘要"), max_length=64)
    purpose = models.CharField(_("用途"), max_length=10, choices=Purpose.choices)
    code_digest = models.CharField(_("验证码摘要"), max_length=64)
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("失效时间"))
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("短信验证码")
        verbose_name_plural = _("短信验证码")
        indexes = [
            models.Index(fields=["phone_digest", "purpose"], name="phone_code_lookup"),
            models.Index(fields=["expires_at"], name="phone_code_expiry"),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} · {self.created_at:%Y-%m-%d %H:%M}"
