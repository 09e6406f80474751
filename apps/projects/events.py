"""Texts of the project notifications; placeholders come from the outbox row's context
(`project_id`/`pledge_id`/`session_id`, `title`, `note`, and per event `deadline`, `quarter`)."""

from django.utils.translation import gettext_lazy as _

EVENTS = {
    "project.submitted": {
        "label": _("有书记项目待审批"),
        "to": ("staff",),
        "link": ("projects:detail", "project_id"),
        "title": _("有书记项目待审批：{title}"),
        "body": _("书记项目“{title}”已提交，请审批。"),
    },
    "project.approved": {
        "label": _("我的书记项目已批准"),
        "to": ("staff",),
        "link": ("projects:detail", "project_id"),
        "title": _("书记项目已批准：{title}"),
        "body": _("您的书记项目“{title}”已获批准，可以开始推进。"),
    },
    "project.returned": {
        "label": _("我的书记项目被退回"),
        "to": ("staff",),
        "link": ("projects:detail", "project_id"),
        "title": _("书记项目被退回：{title}"),
        "body": _("您的书记项目“{title}”被退回修改：{note}"),
    },
    "project.report_due": {
        "label": _("项目季度进展待填报"),
        "to": ("staff",),
        "link": ("projects:detail", "project_id"),
        "title": _("请填报本季度项目进展：{title}"),
        "body": _("项目“{title}”本季度（{quarter}）尚未填报进展，请在季度结束前填报。"),
    },
    "pledge.kept": {
        "label": _("我的承诺已确认兑现"),
        "to": ("member", "leader"),
        "link": ("projects:pledges", None),
        "title": _("您的承诺已确认兑现：{title}"),
        "body": _("支部书记已确认您的承诺“{title}”已兑现。{note}"),
    },
    "pledge.not_kept": {
        "label": _("我的承诺被确认未兑现"),
        "to": ("member", "leader"),
        "link": ("projects:pledges", None),
        "title": _("您的承诺被确认为未兑现：{title}"),
        "body": _("支部书记确认您的承诺“{title}”未兑现。{note}"),
    },
    "session.scoring_due": {
        "label": _("评分即将截止"),
        "to": ("juror",),
        "link": ("projects:session", "session_id"),
        "title": _("评分即将截止：{title}"),
        "body": _("评审会“{title}”还有 {count} 个项目您尚未评分，截止时间 {deadline}。"),
    },
    "session.opened": {
        "label": _("评审会开始评分"),
        "to": ("juror",),
        "link": ("projects:session", "session_id"),
        "title": _("请为项目评分：{title}"),
        "body": _("评审会“{title}”已开始评分，截止时间 {deadline}。"),
    },
    # Joint requests (双向约谈 / 点题): `request_id`, `title`, `count`, and per event
    # `reason`, `reply_due`, `meeting`, `mean`, `note`.
    "joint.reached": {
        "label": _("联名点题待受理"),
        "to": ("staff",),
        "link": ("projects:joint", "request_id"),
        "title": _("联名点题待受理：{title}"),
        "body": _("点题“{title}”已有 {count} 位居民联名，达到门槛，请工作组审议受理。"),
    },
    "joint.reached_signers": {
        "label": _("我联名的点题达到人数"),
        "to": ("resident",),
        "link": ("projects:joint", "request_id"),
        "title": _("您联名的点题已达到人数：{title}"),
        "body": _("点题“{title}”已有 {count} 位居民联名，已提交社区工作组审议。"),
    },
    "joint.expired": {
        "label": _("我联名的点题已过期"),
        "to": ("resident",),
        "link": ("projects:joint", "request_id"),
        "title": _("联名点题已过期：{title}"),
        "body": _("点题“{title}”在征集期内未达到联名人数，已结束。"),
    },
    "joint.accepted": {
        "label": _("我联名的点题已受理"),
        "to": ("resident",),
        "link": ("projects:joint", "request_id"),
        "title": _("联名点题已受理：{title}"),
        "body": _("您联名的点题“{title}”已受理，责任人将在 {reply_due} 前答复。"),
    },
    "joint.assigned": {
        "label": _("点题指派给我答复"),
        "to": ("staff", "member", "leader"),
        "link": ("projects:joint", "request_id"),
        "title": _("请答复联名点题：{title}"),
        "body": _("联名点题“{title}”已指派给您，请在 {reply_due} 前答复居民。"),
    },
    "joint.declined": {
        "label": _("我联名的点题不予受理"),
        "to": ("resident",),
        "link": ("projects:joint", "request_id"),
        "title": _("联名点题不予受理：{title}"),
        "body": _("您联名的点题“{title}”不予受理，原因：{reason}"),
    },
    "joint.replied": {
        "label": _("我联名的点题已答复"),
        "to": ("resident",),
        "link": ("projects:joint", "request_id"),
        "title": _("联名点题已答复：{title}"),
        "body": _("您联名的点题“{title}”已答复。{meeting} 请查看答复并评价。"),
    },
    "joint.reopened": {
        "label": _("点题需要重新答复"),
        "to": ("staff", "member", "leader"),
        "link": ("projects:joint", "request_id"),
        "title": _("联名点题需重新答复：{title}"),
        "body": _("工作组要求重新答复点题“{title}”，期限 {reply_due}。{note}"),
    },
    "joint.closed": {
        "label": _("我联名的点题已办结"),
        "to": ("resident",),
        "link": ("projects:joint", "request_id"),
        "title": _("联名点题已办结：{title}"),
        "body": _("您联名的点题“{title}”已办结。"),
    },
    "joint.low_rating": {
        "label": _("点题答复评价偏低"),
        "to": ("staff",),
        "link": ("projects:joint", "request_id"),
        "title": _("点题答复评价偏低：{title}"),
        "body": _("点题“{title}”的答复平均评分为 {mean}，请工作组研究是否重新答复。"),
    },
    "joint.reply_due": {
        "label": _("点题答复已逾期"),
        "to": ("staff", "member", "leader"),
        "link": ("projects:joint", "request_id"),
        "title": _("联名点题答复已逾期：{title}"),
        "body": _("联名点题“{title}”应于 {reply_due} 前答复，请尽快答复居民。"),
    },
    "joint.reply_escalated": {
        "label": _("点题逾期未答复需督办"),
        "to": ("staff",),
        "link": ("projects:joint", "request_id"),
        "title": _("联名点题逾期未答复：{title}"),
        "body": _("{community}的联名点题“{title}”应于 {reply_due} 前答复，逾期未答复，请督办。"),
    },
}
