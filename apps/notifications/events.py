from django.utils.translation import gettext_lazy as _

EVENTS = {
    "notice.broadcast": {
        "label": _("社区通知"),
        "to": ("member", "leader", "staff"),
        "title": _("{area}通知：{title}"),
        "body": _("{body}"),
        "sms": _("{area}通知：{title}"),
    },
    "notifications.test": {
        "label": _("测试消息"),
        "to": ("everyone",),
        "link": ("notifications:preferences", None),
        "title": _("测试消息"),
        "body": _("这是一条测试消息，说明您的通知渠道工作正常。"),
    },
    "notifications.unread_reminder": {
        "label": _("未读消息提醒"),
        "to": ("everyone",),
        "link": ("notifications:inbox", None),
        "title": _("您有{count}条未读消息"),
        "body": _("请登录同心查看您的消息。"),
    },
}
