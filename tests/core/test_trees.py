from apps.core.trees import TreeBuilder
from apps.register.models import Area, PartyOrg
from tests import factories as f


def _problems(model) -> list:
    return [ids for ids in model.objects.find_problems() if ids]


def test_bulk_built_tree_has_treebeard_paths_and_no_problems(db):
    builder = TreeBuilder(Area)
    district = builder.add(name="区", kind=Area.Kind.DISTRICT)
    street = builder.add(district, name="街道", kind=Area.Kind.STREET)
    communities = [
        builder.add(street, name=f"社区{i}", kind=Area.Kind.COMMUNITY) for i in range(40)
    ]
    builder.save()
    assert _problems(Area) == []
    assert district.path == "0001" and street.path == "00010001"
    assert communities[-1].path == "00010001" + "0014"  # 40 in base 36
    assert Area.objects.get(pk=street.pk).numchild == 40
    # treebeard's own API agrees with the computed paths
    assert list(Area.objects.get_children(street)) == communities
    assert Area.objects.get_parent(communities[3]) == street


def test_builder_continues_after_existing_nodes(db):
    root = f.party_org("党工委", PartyOrg.Kind.WORKING_COMMITTEE)
    f.party_org("支部一", PartyOrg.Kind.BRANCH, root)
    root.refresh_from_db()
    builder = TreeBuilder(PartyOrg)
    second = builder.add(root, name="支部二", kind=PartyOrg.Kind.BRANCH)
    other_root = builder.add(name="另一棵树", kind=PartyOrg.Kind.COMMITTEE)
    builder.save()
    assert second.path == root.path + "0002"
    assert other_root.path == "0002"
    assert _problems(PartyOrg) == []
    # and treebeard can keep adding to what the builder made
    third = PartyOrg.objects.add_child(
        PartyOrg.objects.get(pk=root.pk), {"name": "支部三", "kind": PartyOrg.Kind.BRANCH}
    )
    assert third.path == root.path + "0003"
    assert _problems(PartyOrg) == []
