import pytest

pytestmark = pytest.mark.django_db


def test_stars_give_masked_names_as_the_ranking_page_does(api, world):
    client = api.as_user(world.user("member"))
    response = client.get(f"/api/points/stars/?community={world.community_a.pk}")
    assert response.status_code == 200
    assert {row["name"] for row in response.json()} == {"李*国", "赵*长"}
    assert "李建国" not in response.content.decode()
