"""The admin's moderation actions: their forms, and applying them with refusals as messages."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.template.response import TemplateResponse
from django.utils import timezone

from forum.exceptions import ForumError


class ReasonForm(forms.Form):
    reason = forms.CharField(
        max_length=500, required=False, widget=forms.TextInput(attrs={"size": 60})
    )


class BanForm(ReasonForm):
    DURATIONS = {"1": timedelta(days=1), "7": timedelta(days=7), "30": timedelta(days=30)}
    reason = forms.CharField(max_length=500, widget=forms.TextInput(attrs={"size": 60}))
    duration = forms.ChoiceField(
        choices=[("1", "one day"), ("7", "one week"), ("30", "30 days"), ("forever", "for good")]
    )
    remove_posts = forms.BooleanField(required=False, label="Also remove all of their posts")

    def expires_at(self):
        delta = self.DURATIONS.get(self.cleaned_data["duration"])
        return timezone.now() + delta if delta else None


class MoveForm(ReasonForm):
    new_parent = forms.IntegerField(
        min_value=1, label="Id of the post to attach it to (the OP's id attaches it to the thread)"
    )


def apply_each(modeladmin, request, objects, *, title: str, apply) -> None:
    """Applies `apply(obj)` to each object; a refusal is reported as a message, never a 500."""
    done = 0
    for obj in objects:
        try:
            apply(obj)
            done += 1
        except ForumError as error:
            # Worded to begin with a word: the admin capitalises a message's first letter.
            modeladmin.message_user(request, f"Not done for {obj}: {error}", messages.ERROR)
    if done:
        modeladmin.message_user(
            request, f"{title}: {done} of {len(objects)} done.", messages.SUCCESS
        )


def confirm_action(modeladmin, request, queryset, *, title, form_class, apply):
    """Shows a form for the selected items, then applies `apply(obj, form)` to each."""
    form = form_class(request.POST if "apply" in request.POST else None)
    if "apply" in request.POST and form.is_valid():
        apply_each(
            modeladmin, request, list(queryset), title=title, apply=lambda obj: apply(obj, form)
        )
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "objects": queryset,
        "form": form,
        "action": request.POST["action"],
        "opts": modeladmin.model._meta,
    }
    return TemplateResponse(request, "admin/threads/confirm_action.html", context)


class ReadOnlyChangeForm:
    """A change form that shows the object and changes nothing, for everyone, superusers too:
    what a post derives (html, tree, points, ...) only the forum's services may write."""

    def has_change_permission(self, request, obj=None):
        # Without an object Django asks about the list's actions, which go through services.
        return obj is None and super().has_change_permission(request)
