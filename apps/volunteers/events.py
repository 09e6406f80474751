"""Texts of the volunteer notifications; placeholders are filled from the outbox row's
context (see apps/volunteers/services.py and reminders.py)."""

from django.utils.translation import gettext_lazy as _

EVENTS = {
    "volunteer.registered": {
        "label": _("有党员到社区报到"),
        "to": ("staff",),
        "link": ("volunteers:manage", None),
        "title": _("有党员到社区报到：{member}"),
        "body": _("党员{member}登记了志愿服务，请审核并安排岗位。"),
    },
    "volunteer.approved": {
        "label": _("我的志愿岗位已确定"),
        "to": ("member", "leader"),
        "link": ("volunteers:home", None),
        "title": _("您的志愿岗位已确定：{post}"),
        "body": _("社区已安排您到“{post}”岗位，感谢您的奉献。"),
    },
    "volunteer.rejected": {
        "label": _("我的志愿报到未通过"),
        "to": ("member", "leader"),
        "link": ("volunteers:home", None),
        "title": _("您的志愿服务报到未通过"),
        "body": _("您的志愿服务报到未通过，原因：{reason}"),
    },
    "volunteer.occurrence_cancelled": {
        "label": _("我报名的活动取消了"),
        "to": ("member", "leader", "resident"),
        "link": ("volunteers:occurrence", "occurrence_id"),
        "title": _("志愿活动取消：{title}"),
        "body": _("您报名的“{title}”（{starts}）已取消，原因：{reason}"),
    },
    "volunteer.promoted": {
        "label": _("我从候补转为正式报名"),
        "to": ("member", "leader", "resident"),
        "link": ("volunteers:occurrence", "occurrence_id"),
        "title": _("候补成功：{title}"),
        "body": _("有人取消了报名，您已从候补转为正式报名“{title}”（{starts}）。"),
    },
    "volunteer.hours_confirmed": {
        "label": _("我的服务时长已确认"),
        "to": ("member", "leader", "resident"),
        "link": ("volunteers:home", None),
        "title": _("服务时长已确认"),
        "body": _("您在“{title}”的服务时长 {hours} 小时已确认。"),
    },
    "volunteer.report_in_due": {
        "label": _("提醒我到社区报到"),
        "to": ("member", "leader"),
        "link": ("volunteers:register", None),
        "title": _("请到居住社区报到"),
        "body": _("您还没有到{community}报到并选择志愿岗位（一人一岗），请尽快登记。"),
    },
    "volunteer.need_offered": {
        "label": _("有服务需求派给我"),
        "to": ("member", "leader", "resident"),
        "link": ("volunteers:needs", None),
        "title": _("新的服务派单：{title}"),
        "body": _("您有一项服务需求“{title}”待接单，请在{answer_by}前接受或拒绝。"),
    },
    "volunteer.need_accepted": {
        "label": _("志愿者已接单"),
        "to": ("staff",),
        "link": ("volunteers:needs", None),
        "title": _("志愿者已接单：{title}"),
        "body": _("{volunteer}已接受服务需求“{title}”。"),
    },
    "volunteer.need_returned": {
        "label": _("服务需求被退回"),
        "to": ("staff",),
        "link": ("volunteers:needs", None),
        "title": _("服务需求退回：{title}"),
        "body": _("{volunteer}未接单（{reason}），下一位推荐：{next}。请重新派单。"),
    },
    "volunteer.need_done": {
        "label": _("我的服务需求已完成"),
        "to": ("resident", "staff"),
        "link": ("volunteers:needs", None),
        "title": _("服务已完成：{title}"),
        "body": _("服务需求“{title}”已完成，请确认并评价。"),
    },
    "volunteer.need_rated": {
        "label": _("我的服务获得评价"),
        "to": ("member", "leader", "resident"),
        "link": ("volunteers:needs", None),
        "title": _("服务已获评价：{title}"),
        "body": _("服务需求“{title}”已确认完成，评分 {rating} 星。"),
    },
}
