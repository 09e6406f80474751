from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "apps.notifications"
    label = "notifications"
    verbose_name = _("消息通知")

    def ready(self):
        # Accounts (below this app) sends login codes through the SMS channel it is given.
        from apps.accounts.services import sms_sender_register

        from .transports import sms_text_available, sms_text_send

        sms_sender_register(send=sms_text_send, available=sms_text_available)
