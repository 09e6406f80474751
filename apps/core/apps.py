from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "apps.core"
    label = "core"
    verbose_name = _("核心")

    def ready(self):
        # Every text field refuses control characters, in the API and in forms: one rule,
        # set where each framework takes its fields' default validators (a field given its
        # own `validators=` replaces them, so add this one there too).
        from django import forms
        from rest_framework import serializers

        from .validators import validate_no_control_characters

        for field in (serializers.CharField, serializers.JSONField, forms.CharField):
            field.default_validators = [validate_no_control_characters]
