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
    # Joint requests (双向约谈 / 点题): `request_id`, `title`, `count`, and per event
    # `reason`, `reply_due`, `meeting`, `mean`, `note`.
    "joint.reached": {
        "title": _("联名点题待受理：{title}"),
        "body": _("点题“{title}”已有 {count} 位居民联名，达到门槛，请工作组审议受理。"),
    },
    "joint.reached_signers": {
        "title": _("您联名的点题已达到人数：{title}"),
        "body": _("点题“{title}”已有 {count} 位居民联名，已提交社区工作组审议。"),
    },
    "joint.expired": {
        "title": _("联名点题已过期：{title}"),
        "body": _("点题“{title}”在征集期内未达到联名人数，已结束。"),
    },
    "joint.accepted": {
        "title": _("联名点题已受理：{title}"),
        "body": _("您联名的点题“{title}”已受理，责任人将在 {reply_due} 前答复。"),
    },
    "joint.assigned": {
        "title": _("请答复联名点题：{title}"),
        "body": _("联名点题“{title}”已指派给您，请在 {reply_due} 前答复居民。"),
    },
    "joint.declined": {
        "title": _("联名点题不予受理：{title}"),
        "body": _("您联名的点题“{title}”不予受理，原因：{reason}"),
    },
    "joint.replied": {
        "title": _("联名点题已答复：{title}"),
        "body": _("您联名的点题“{title}”已答复。{meeting} 请查看答复并评价。"),
    },
    "joint.reopened": {
        "title": _("联名点题需重新答复：{title}"),
        "body": _("工作组要求重新答复点题“{title}”，期限 {reply_due}。{note}"),
    },
    "joint.closed": {
        "title": _("联名点题已办结：{title}"),
        "body": _("您联名的点题“{title}”已办结。"),
    },
    "joint.low_rating": {
        "title": _("点题答复评价偏低：{title}"),
        "body": _("点题“{title}”的答复平均评分为 {mean}，请工作组研究是否重新答复。"),
    },
    "joint.reply_due": {
        "title": _("联名点题答复已逾期：{title}"),
        "body": _("联名点题“{title}”应于 {reply_due} 前答复，请尽快答复居民。"),
    },
    "joint.reply_escalated": {
        "title": _("联名点题逾期未答复：{title}"),
        "body": _("{community}的联名点题“{title}”应于 {reply_due} 前答复，逾期未答复，请督办。"),
    },
}
