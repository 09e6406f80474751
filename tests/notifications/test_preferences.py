import pytest

from apps.core.errors import InvalidInput
from apps.notifications import services
from apps.notifications.models import Preference


def test_default_preferences_allow_every_channel(world):
    preference = Preference(user=world.user("member"))
    assert all(preference.allows("wish.published", c) for c in ("inapp", "email", "sms"))


def test_inapp_cannot_be_muted(world):
    with pytest.raises(InvalidInput) as error:
        services.preference_update(user=world.user("member"), muted={"*": ["inapp"]})
    assert error.value.code == "invalid_preferences"
    assert Preference(user=world.user("member"), muted={"*": ["inapp"]}).allows("x", "inapp")


@pytest.mark.parametrize(
    "muted",
    [["sms"], {"no.such_event": ["sms"]}, {"*": "sms"}, {"*": ["fax"]}],
)
def test_bad_muted_settings_are_rejected_and_write_nothing(world, muted):
    with pytest.raises(InvalidInput):
        services.preference_update(user=world.user("member"), muted=muted, language="en")
    preference = Preference.objects.filter(user=world.user("member")).first()
    assert preference is None or preference.language == "zh-hans"


def test_unknown_language_is_rejected(world):
    with pytest.raises(InvalidInput) as error:
        services.preference_update(user=world.user("member"), language="fr")
    assert error.value.code == "invalid_language"


def test_preferences_round_trip(world):
    services.preference_update(
        user=world.user("member"), language="en", muted={"notice.broadcast": ["sms", "sms"]}
    )
    preference = Preference.objects.get(user=world.user("member"))
    assert preference.language == "en" and preference.muted == {"notice.broadcast": ["sms"]}
    assert not preference.allows("notice.broadcast", "sms")
    assert preference.allows("notice.broadcast", "email")


@pytest.mark.parametrize("field", [{"wechat_openid": 12345}, {"wechat_openid": "x" * 65}])
def test_bad_openid_is_rejected(world, field):
    with pytest.raises(InvalidInput) as error:
        services.preference_update(user=world.user("member"), **field)
    assert error.value.code == "invalid_openid"


def test_non_string_language_is_rejected_not_a_crash(api, world):
    client = api.as_user(world.user("member"))
    for body in ({"language": ["en"]}, {"language": {"a": 1}}, {"wechat_openid": 7}):
        response = client.put("/api/notifications/preferences/", body, format="json")
        assert response.status_code == 400, body
