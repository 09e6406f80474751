import pytest

from tests.wishes.conftest import category, make_wish  # noqa: F401 - shared fixtures


@pytest.fixture
def live_layer(settings, redis_url):
    """The channel layer on the test Redis (the pub/sub layer the app uses with Redis)."""
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [redis_url], "prefix": "tongxin.test"},
        }
    }
    return redis_url
