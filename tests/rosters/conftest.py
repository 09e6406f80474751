import pytest

from apps.accounts.models import Role
from tests import factories as f


@pytest.fixture
def other_street(world):
    """A second street with its own community, grid, building, branch and administrator."""
    from apps.register.models import Area, PartyOrg

    street = f.area("白峰街道", Area.Kind.STREET, world.district)
    community = f.area("白峰社区", Area.Kind.COMMUNITY, street)
    grid = f.area("白峰第1网格", Area.Kind.GRID, community)
    f.area("2幢", Area.Kind.BUILDING, grid)
    branch = f.party_org("白峰社区党支部", PartyOrg.Kind.BRANCH, world.committee, area=community)
    admin = f.UserFactory(username="admin2", name="钱管理", is_staff=True)
    f.grant(admin, Role.ADMINISTRATOR, area=street)
    return {"street": street, "community": community, "branch": branch, "admin": admin}
