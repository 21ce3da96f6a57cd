from qingyi.core.navigation import menu_for


def navigation(request):
    """The menu, by what the user's roles allow."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_items": menu_for(request)}
