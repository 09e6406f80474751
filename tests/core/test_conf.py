"""The one settings reader: defaults in config/settings.py, the environment overrides them."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from apps.core.conf import conf
from tests.core.test_settings import _manage


def test_a_knob_without_environment_has_its_default():
    assert conf("PAIRINGS_PER_HELPER") == 5
    assert conf("ROSTERS_BATCH_SIZE") == 2000


def test_settings_override_is_read_at_call_time(settings):
    settings.TONGXIN = {**settings.TONGXIN, "WISH_MAX_OPEN_CLAIMS": 7}
    assert conf("WISH_MAX_OPEN_CLAIMS") == 7


def test_an_unknown_knob_is_a_configuration_error():
    with pytest.raises(ImproperlyConfigured):
        conf("NO_SUCH_KNOB")


def test_the_environment_overrides_a_default_through_settings():
    script = (
        "from apps.core.conf import conf; "
        "print(conf('WISH_MAX_OPEN_CLAIMS'), conf('ROSTERS_MAX_ROWS'), conf('NOTIFY_SMS')['URL'])"
    )
    result = _manage(
        "shell",
        "--no-imports",
        "-c",
        script,
        DEBUG="1",
        WISH_MAX_OPEN_CLAIMS="9",
        ROSTERS_MAX_ROWS="10",
        NOTIFY_SMS_URL="http://sms.example/send",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["9", "10", "http://sms.example/send"]
