from tests import factories as f


def test_resident_list_is_scoped_and_unmasked_for_grid_worker(world, client):
    f.ResidentFactory(household=f.HouseholdFactory(area=world.building_b), name="榭南人")
    client.force_login(world.user("grid_worker"))
    page = client.get("/grids/residents/").content.decode()
    assert "王秀梅" in page and "榭南人" not in page
    assert "困难群众" in page  # the elderly resident's badge


def test_resident_list_is_masked_for_group_leader(world, client):
    resident = world.user("resident").resident
    resident.phone = "13912345678"
    resident.save()
    f.cover(resident.household, world.user("group_leader"))
    client.force_login(world.user("group_leader"))
    page = client.get("/grids/residents/").content.decode()
    assert "王*梅" in page and "139****5678" in page
    assert "王秀梅" not in page and "13912345678" not in page
    page = client.get("/grids/residents/", {"q": "秀"}).content.decode()
    assert "王*梅" not in page  # searching cannot unmask a name


def test_household_addresses_hidden_for_group_leader(world, client):
    household = world.user("resident").resident.household
    household.address = "海城社区1幢1单元101室"
    household.save()
    f.cover(household, world.user("group_leader"))
    client.force_login(world.user("group_leader"))
    page = client.get("/grids/households/").content.decode()
    assert "地址已隐藏" in page and "101室" not in page
    client.force_login(world.user("grid_worker"))
    assert "101室" in client.get("/grids/households/").content.decode()


def test_lists_search_and_page(world, client):
    for i in range(60):
        f.ResidentFactory(household=world.user("resident").resident.household, name=f"测试{i}")
    client.force_login(world.user("secretary"))
    page = client.get("/grids/residents/", {"q": "测试5"}).content.decode()
    assert "测试5" in page and "测试4" not in page
    page = client.get("/grids/residents/", {"page": "2"}).content.decode()
    assert "2 / 2" in page
    assert client.get("/grids/residents/", {"page": "abc"}).status_code == 200
    refused = client.get("/grids/residents/", {"q": "a\x00b"})  # the middleware's answer
    assert refused.status_code == 400 and "控制字符" in refused.content.decode()


def test_lists_show_nothing_to_a_member(world, client):
    client.force_login(world.user("member"))
    page = client.get("/grids/residents/").content.decode()
    assert "没有可查看的居民" in page


def test_lists_need_login(world, client):
    assert client.get("/grids/residents/").status_code == 302


def test_resident_sees_own_household_with_everyone_in_it(world, client):
    household = world.user("resident").resident.household
    f.ResidentFactory(household=household, name="王小明", phone="13912340000")
    f.ResidentFactory(household=f.HouseholdFactory(area=world.building_a), name="邻居")
    client.force_login(world.user("resident"))
    assert 'href="/grids/my-household/"' in client.get("/").content.decode()
    page = client.get("/grids/my-household/").content.decode()
    assert "王秀梅" in page and "王小明" in page and "13912340000" in page
    assert "邻居" not in page


def test_my_household_for_a_user_without_one(world, client):
    client.force_login(world.user("member"))
    assert "尚未关联住户" in client.get("/grids/my-household/").content.decode()
