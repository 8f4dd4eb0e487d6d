"""Admin for the forum's users."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.shortcuts import redirect

from forum.accounts.models import User
from forum.admin_lists import SelectedIdsChecked


@admin.register(User)
class ForumUserAdmin(SelectedIdsChecked, UserAdmin):
    fieldsets = (*UserAdmin.fieldsets, ("Forum", {"fields": ("about", "karma", "is_imported")}))
    list_display = ("username", "email", "date_joined", "karma", "is_staff")
    # Karma follows votes (threads.services.votes), never a hand in the admin.
    readonly_fields = ("karma", "is_imported")

    def user_change_password(self, request, id, form_url=""):
        # An imported author is a name from a file: nobody may log in as them (User.set_password).
        user = self.get_object(request, id)
        if user is not None and user.is_imported:
            messages.error(request, f"{user.username} was imported and cannot have a password.")
            return redirect("admin:accounts_user_change", user.pk)
        return super().user_change_password(request, id, form_url)
