from django.urls import reverse


def test_committee_admin_sees_home_with_tiles(personas, login):
    client = login(personas.committee_admin)
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    assert "people.active" in response.content.decode()


def test_tree_and_roster_pages_render(personas, login):
    client = login(personas.committee_admin)
    for name in (
        "organizations:tree",
        "people:list",
        "people:transfer_list",
        "organizations:cadre_structure",
        "core:settings",
    ):
        assert client.get(reverse(name)).status_code == 200, name
    assert client.get(reverse("people:detail", args=[personas.person_a.pk])).status_code == 200
    assert client.get(reverse("organizations:detail", args=[personas.tree.branch_a.pk])).status_code == 200


def test_member_profile(personas, login):
    client = login(personas.member)
    assert client.get(reverse("core:home")).status_code == 200  # the member home (core/home.py)
    assert client.get(reverse("accounts:profile")).status_code == 200
