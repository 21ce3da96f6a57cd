from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from qingyi.accounts.models import ApiToken, RoleAssignment, User


@admin.register(User)
class QingyiUserAdmin(UserAdmin):
    fieldsets = (*UserAdmin.fieldsets, ("Qingyi", {"fields": ("phone",)}))
    search_fields = ("username", "phone", "first_name", "last_name")


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "organization")
    list_filter = ("role",)
    autocomplete_fields = ("user",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "hint", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("digest", "hint")
