from django.utils.functional import SimpleLazyObject

from qingyi.core.navigation import menu_for
from qingyi.core.notifications import unread_count


def navigation(request):
    """The menu, by what the user's roles allow."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_items": menu_for(request)}


def notifications(request):
    """The bell's unread count: one indexed COUNT, made only if a template shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user))}
