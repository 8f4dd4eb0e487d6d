"""Bans in the Django admin: a ban by name for a time or for good, and lifting one."""

from django import forms
from django.contrib import admin
from django.utils import timezone

from forum.accounts.models import User
from forum.admin_lists import SelectedIdsChecked
from threads.admin.actions import BanForm, LiftForm, confirm_action, reason_field_checked
from threads.core import policies
from threads.models import Ban
from threads.services.bans import user_ban, user_unban


class NewBanForm(forms.ModelForm):
    username = forms.CharField(max_length=150)
    duration = BanForm.base_fields["duration"]
    remove_posts = BanForm.base_fields["remove_posts"]

    class Meta:
        model = Ban
        fields = ("reason",)

    def clean_reason(self):
        return reason_field_checked(self.cleaned_data["reason"])

    def clean_username(self):
        name = self.cleaned_data["username"]
        user = User.objects.filter(username__iexact=name).first()
        if user is None:
            raise forms.ValidationError(f"There is no user named {name}.")
        if refusal := policies.ban_refusal(user=user):
            raise forms.ValidationError(str(refusal))
        return user


@admin.register(Ban)
class BanAdmin(SelectedIdsChecked, admin.ModelAdmin):
    list_display = ("user", "reason", "created_at", "expires_at", "lifted_at", "moderator")
    list_select_related = ("user", "moderator")
    search_fields = ("user__username",)
    actions = ("lift",)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = NewBanForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("username", "reason", "duration", "remove_posts")
        return ("user", "reason", "created_at", "expires_at", "lifted_at", "moderator")

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.get_fields(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return
        data = form.cleaned_data
        delta = BanForm.DURATIONS.get(data["duration"])
        ban = user_ban(
            user=data["username"],
            moderator=request.user,
            reason=data["reason"],
            expires_at=timezone.now() + delta if delta else None,
            remove_posts=data["remove_posts"],
        )
        # The admin logs and redirects using obj: make it the ban the service created.
        obj.__dict__.update(ban.__dict__)

    @admin.action(description="Lift the ban", permissions=["change"])
    def lift(self, request, queryset):
        return confirm_action(
            self,
            request,
            queryset,
            title="Lift bans",
            form_class=LiftForm,
            apply=lambda ban, form: user_unban(
                ban_id=ban.pk, moderator=request.user, **form.cleaned_data
            ),
        )
