"""Texts of the grids events delivered through the outbox (see apps.notifications)."""

from django.utils.translation import gettext_lazy as _

EVENTS = {
    "problem.escalated": {
        "label": _("问题上报到我这一级"),
        "to": ("staff", "leader"),
        "link": ("grids:problem", "problem"),
        "title": _("问题上报到{level}：{title}"),
        "body": _("问题“{title}”已上报到{level}级处理。上报原因：{reason}"),
    },
    "problem.resolved": {
        "label": _("我反映的问题已解决"),
        "to": ("member", "leader", "staff"),
        "link": ("grids:problem", "problem"),
        "title": _("您反映的问题已解决：{title}"),
        "body": _("您反映的问题“{title}”已处理完毕，感谢您的支持。"),
    },
    "problem.overdue": {
        "label": _("问题超期未办"),
        "to": ("staff", "leader"),
        "link": ("grids:problem", "problem"),
        "title": _("问题超期未办：{title}"),
        "body": _("{level}级问题“{title}”已超过办理期限，请尽快处理或上报。"),
    },
    "pairing.unvisited": {
        "label": _("结对对象本月未走访"),
        "to": ("member", "leader", "staff"),
        "link": ("grids:helper", None),
        "title": _("结对走访提醒（{month}）"),
        "body": _("您本月（{month}）还有{count}名结对对象未走访，请及时上门并填写“五清”。"),
    },
}
