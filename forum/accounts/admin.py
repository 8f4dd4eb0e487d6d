"""Admin for the forum's users."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from forum.accounts.models import User
from forum.admin_lists import SelectedIdsChecked


@admin.register(User)
class ForumUserAdmin(SelectedIdsChecked, UserAdmin):
    fieldsets = (*UserAdmin.fieldsets, ("Forum", {"fields": ("about", "karma")}))
    list_display = ("username", "email", "date_joined", "karma", "is_staff")
    # Karma follows votes (threads.services.votes), never a hand in the admin.
    readonly_fields = ("karma",)
