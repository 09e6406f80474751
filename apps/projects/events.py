"""Texts of the project notifications; placeholders come from the outbox row's context
(`project_id`/`pledge_id`/`session_id`, `title`, `note`, and per event `deadline`, `quarter`)."""

from django.utils.translation import gettext_lazy as _

EVENTS = {
    "project.submitted": {
        "title": _("有书记项目待审批：{title}"),
        "body": _("书记项目“{title}”已提交，请审批。"),
    },
    "project.approved": {
        "title": _("书记项目已批准：{title}"),
        "body": _("您的书记项目“{title}”已获批准，可以开始推进。"),
    },
    "project.returned": {
        "title": _("书记项目被退回：{title}"),
        "body": _("您的书记项目“{title}”被退回修改：{note}"),
    },
    "project.report_due": {
        "title": _("请填报本季度项目进展：{title}"),
        "body": _("项目“{title}”本季度（{quarter}）尚未填报进展，请在季度结束前填报。"),
    },
    "pledge.kept": {
        "title": _("您的承诺已确认兑现：{title}"),
        "body": _("支部书记已确认您的承诺“{title}”已兑现。{note}"),
    },
    "pledge.not_kept": {
        "title": _("您的承诺被确认为未兑现：{title}"),
        "body": _("支部书记确认您的承诺“{title}”未兑现。{note}"),
    },
    "session.scoring_due": {
        "title": _("评分即将截止：{title}"),
        "body": _("评审会“{title}”还有 {count} 个项目您尚未评分，截止时间 {deadline}。"),
    },
    "session.opened": {
        "title": _("请为项目评分：{title}"),
        "body": _("评审会“{title}”已开始评分，截止时间 {deadline}。"),
    },
}
