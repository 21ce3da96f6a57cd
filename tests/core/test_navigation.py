from django.urls import reverse


def _menu(client):
    return client.get(reverse("accounts:profile")).context["nav_items"]


def test_admin_menu_groups_each_app_in_one_entry(personas, login):
    items = _menu(login(personas.committee_admin))
    labels = [str(item["label"]) for item in items]
    assert labels[0] == "Home" and labels[-1] == "Settings"
    assert len(labels) == len(set(labels))
    roster = next(item for item in items if str(item["label"]) == "Roster")
    assert [str(c["label"]) for c in roster["children"]] == ["Roster", "Transfers"]
    assert len(items) <= 9


def test_member_menu_has_plain_links_to_their_own_pages(personas, login):
    items = _menu(login(personas.member))
    assert all(not item["children"] for item in items)
    urls = [item["url"] for item in items]
    assert reverse("people:list") not in urls and reverse("core:settings") not in urls
