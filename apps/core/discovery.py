"""Find the same-named module in every Tongxin app (`apps.<app>.menu`, `.demo`, `.events` …),
in INSTALLED_APPS order."""

from importlib import import_module
from types import ModuleType

from django.apps import apps


def app_modules(name: str) -> list[ModuleType]:
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("apps."):
            continue
        try:
            found.append(import_module(f"{config.name}.{name}"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.{name}":
                raise  # the module exists but something it imports does not
    return found
