from django.urls import reverse
from django.utils.translation import gettext as _

from qingyi.core import scoping


def navigation(request):
    """The menu, by what the user's roles allow."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    items = [("core:home", _("Home"), "")]
    if scoping.has_perm(user, scoping.ORG_VIEW):
        items.append(("organizations:tree", _("Organisations"), "/organizations/"))
    if scoping.has_perm(user, scoping.PEOPLE_VIEW):
        items.append(("people:list", _("Roster"), "/people/"))
    if scoping.has_perm(user, scoping.TRANSFERS_DECIDE):
        items.append(("people:transfer_list", _("Transfers"), "/people/transfers/"))
    if scoping.has_perm(user, scoping.CADRES_MANAGE):
        items.append(("organizations:cadre_structure", _("Cadres"), "/organizations/cadres/"))
    if scoping.has_perm(user, scoping.SETTINGS_MANAGE):
        items.append(("core:settings", _("Settings"), "/settings/"))
    path = request.path
    nav = []
    for name, label, prefix in items:
        url = reverse(name)
        active = path == url or (prefix and path.startswith(prefix))
        nav.append({"url": url, "label": label, "active": active})
    return {"nav_items": nav}
