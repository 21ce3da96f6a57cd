"""The committee's rule settings. (The dashboard is organizations/views/dashboard.py.)"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from qingyi.core import scoping
from qingyi.core.forms import SettingsForm
from qingyi.core.services import settings_update


@login_required
@require_http_methods(["GET", "POST"])
def settings_edit(request):
    scoping.require_perm(request.user, scoping.SETTINGS_MANAGE)
    form = SettingsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            settings_update(values=form.cleaned_data, actor=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Settings saved."))
            return redirect("core:settings")
    return render(request, "core/settings.html", {"form": form})
