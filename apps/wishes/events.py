"""Texts of the wish notifications; placeholders are filled from the outbox row's context
(`wish_id`, `title`, `note`, and per event `reason`, `claimant`, `rating`, `category`)."""

from django.utils.translation import gettext_lazy as _

EVENTS = {
    "wish.submitted": {
        "label": _("有新心愿待审核"),
        "to": ("staff",),
        "link": ("wishes:detail", "wish_id"),
        "title": _("有新的微心愿待审核：{title}"),
        "body": _("居民提交了微心愿“{title}”（{category}），请及时审核。"),
    },
    "wish.published": {
        "label": _("有新的微心愿可以认领"),
        "to": ("member", "organisation"),
        "link": ("wishes:detail", "wish_id"),
        "title": _("新的微心愿：{title}"),
        "body": _("微心愿“{title}”已发布，欢迎认领。"),
    },
    "wish.approved": {
        "label": _("心愿通过审核并发布了"),
        "to": ("resident", "staff"),
        "link": ("wishes:detail", "wish_id"),
        "title": _("您的微心愿已发布：{title}"),
        "body": _("您的微心愿“{title}”已通过审核并发布，党员认领后会通知您。"),
    },
    "wish.rejected": {
        "label": _("心愿未通过审核"),
        "to": ("resident", "staff"),
        "link": ("wishes:detail", "wish_id"),
        "title": _("您的微心愿未通过审核"),
        "body": _("您的微心愿“{title}”未通过审核，原因：{reason}"),
    },
    "wish.withdrawn": {
        "label": _("居民撤回了心愿"),
        "to": ("staff",),
        "link": ("wishes:detail", "wish_id"),
        "title": _("微心愿已撤回：{title}"),
        "body": _("居民已撤回微心愿“{title}”。"),
    },
    "wish.claimed": {
        "label": _("心愿有人认领了"),
        "to": ("resident", "staff"),
        "link": ("wishes:detail", "wish_id"),
        "title": _("您的微心愿已被认领"),
        "body": _("您的微心愿“{title}”已由{claimant}认领。"),
    },
    "wish.claim_due": {
        "label": _("我认领的心愿快到期了"),
        "to": ("member", "organisation"),
        "link": ("wishes:detail", "wish_id"),
        "title": _("认领的微心愿即将到期：{title}"),
        "body": _("您认领的微心愿“{title}”将于{expires_on}到期，请及时完成或放弃认领。"),
    },
    "wish.released": {
        "label": _("认领人放弃了心愿"),
        "to": ("resident", "staff"),
        "link": ("wishes:detail", "wish_id"),
        "title": _("微心愿认领已放弃：{title}"),
        "body": _("{claimant}放弃了微心愿“{title}”的认领，心愿已重新发布。"),
    },
    "wish.expired": {
        "label": _("心愿认领超时"),
        "to": ("resident", "staff"),
        "link": ("wishes:detail", "wish_id"),
        "title": _("微心愿认领已超时：{title}"),
        "body": _("{claimant}认领的微心愿“{title}”超时未完成，心愿已重新发布。"),
    },
    "wish.fulfilled": {
        "label": _("心愿已完成，请确认"),
        "to": ("resident", "staff"),
        "link": ("wishes:detail", "wish_id"),
        "title": _("您的微心愿已完成"),
        "body": _("您的微心愿“{title}”已完成：{note}。请确认并评价。"),
    },
    "wish.confirmed": {
        "label": _("居民确认了我完成的心愿"),
        "to": ("member", "organisation"),
        "link": ("wishes:detail", "wish_id"),
        "title": _("居民已确认您完成的微心愿"),
        "body": _("微心愿“{title}”已确认完成，评分 {rating} 星。{note}"),
    },
}
