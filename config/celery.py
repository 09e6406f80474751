import os

from celery import Celery, bootsteps

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("tongxin")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


class RequireSecretKey(bootsteps.Step):
    """The worker refuses to start without a SECRET_KEY, as the web process does."""

    def __init__(self, parent, **kwargs):
        from config.startup import require_secret_key

        require_secret_key()
        super().__init__(parent, **kwargs)


app.steps["worker"].add(RequireSecretKey)
