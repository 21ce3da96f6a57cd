"""``{% can_act_on_login request.user person.user as can_reset %}``: whether to offer actions on
someone's login (reset password ...), read from the same rule the services enforce
(``accounts.services.can_act_on_login``)."""

from django import template

from qingyi.accounts import services

register = template.Library()


@register.simple_tag
def can_act_on_login(actor, user) -> bool:
    return services.can_act_on_login(actor, user)
