"""Admin for the forum's users."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from forum.accounts.models import User
from forum.accounts.services import email_confirmation_mail
from forum.admin_lists import SelectedIdsChecked


@admin.register(User)
class ForumUserAdmin(SelectedIdsChecked, UserAdmin):
    fieldsets = (*UserAdmin.fieldsets, ("Forum", {"fields": ("about", "karma")}))
    list_display = ("username", "email", "date_joined", "karma", "is_staff")
    # Karma follows votes (threads.services.votes), never a hand in the admin.
    readonly_fields = ("karma",)

    def save_model(self, request, obj, form, change):
        # The model leaves a changed address unconfirmed; its owner gets the link to confirm it.
        super().save_model(request, obj, form, change)
        if change and "email" in form.changed_data and obj.email:
            email_confirmation_mail(user=obj)
