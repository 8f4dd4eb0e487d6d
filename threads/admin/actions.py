"""The admin's moderation actions: their forms, and applying them with refusals as messages."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.template.response import TemplateResponse
from django.utils import timezone

from forum.exceptions import ForumError
from threads.core import selectors
from threads.services.moderation import reason_checked
from threads.services.posting import title_checked


class ReasonForm(forms.Form):
    reason = forms.CharField(
        max_length=500, required=False, widget=forms.TextInput(attrs={"size": 60})
    )

    def __init__(self, data=None, *, objects=(), **options):
        super().__init__(data, **options)
        self.objects = objects

    def clean_reason(self):
        return reason_field_checked(self.cleaned_data["reason"])

    def confirmation(self) -> str:
        """What to confirm before the action is applied; "" when there is nothing to ask."""
        return ""

    def confirmed_value(self) -> str:
        """What the confirmation page posts back as `confirmed`."""
        return "1"


def required_reason(what: str) -> forms.CharField:
    """A reason that must be given: the services refuse an empty one too, in these words."""
    return forms.CharField(
        max_length=500,
        widget=forms.TextInput(attrs={"size": 60}),
        error_messages={"required": f"{what} needs a reason: the moderation log shows it."},
    )


class RemovalForm(ReasonForm):
    reason = required_reason("A removal")


class FlagsDecisionForm(ReasonForm):
    reason = required_reason("A decision on flags")


class RetitleForm(ReasonForm):
    """A thread's new title, from the moderation page of its post `objects[0]`."""

    field_order = ("title", "reason")
    title = forms.CharField(max_length=200, widget=forms.TextInput(attrs={"size": 60}))
    reason = required_reason("A new title")

    def __init__(self, data=None, *, objects=(), **options):
        super().__init__(data, objects=objects, **options)
        if objects:
            self.fields["title"].initial = objects[0].thread.title

    def clean_title(self):
        return title_field_checked(self.cleaned_data["title"])


def title_field_checked(title: str) -> str:
    """A title as the services take it, or the form's error saying why not."""
    try:
        return title_checked(title)
    except ForumError as error:
        raise forms.ValidationError(str(error)) from None


def reason_field_checked(reason: str) -> str:
    """A reason as the services take it, or the form's error saying why not."""
    try:
        return reason_checked(reason)
    except ForumError as error:
        raise forms.ValidationError(str(error)) from None


class BanForm(ReasonForm):
    DURATIONS = {"1": timedelta(days=1), "7": timedelta(days=7), "30": timedelta(days=30)}
    reason = required_reason("A ban")
    duration = forms.ChoiceField(
        choices=[("1", "one day"), ("7", "one week"), ("30", "30 days"), ("forever", "for good")]
    )
    remove_posts = forms.BooleanField(required=False, label="Also remove all of their posts")

    def expires_at(self):
        delta = self.DURATIONS.get(self.cleaned_data["duration"])
        return timezone.now() + delta if delta else None


class LiftForm(ReasonForm):
    restore_posts = forms.BooleanField(
        required=False, label="Also restore the posts and threads this ban removed"
    )


class MoveForm(ReasonForm):
    new_parent = forms.CharField(
        max_length=40,
        label="The post to attach it to: its name in the same thread (bob+1) or its id"
        " (the opening post attaches it to the thread)",
    )

    def clean_new_parent(self):
        name = self.cleaned_data["new_parent"]
        threads = {post.thread_id for post in self.objects}
        # A name means a post of the moved posts' thread: with several, only an id is clear.
        thread_id = threads.pop() if len(threads) == 1 else None
        parent = selectors.post_named(name=name, thread_id=thread_id)
        if parent is None:
            where = "in this thread" if thread_id else "(posts of several threads: give an id)"
            raise forms.ValidationError(f"There is no post {name} {where}.")
        return parent

    def confirmation(self) -> str:
        # The parent confirmed is named by its id, so a name changed on the way is asked again.
        parent = self.cleaned_data["new_parent"]
        if self.data.get("confirmed") == str(parent.pk):
            return ""
        moved = ", ".join(post.name for post in self.objects)
        return (
            f'Move {moved} under {parent.name} (id {parent.pk}) in the thread "{parent.thread}":'
            f" {parent.text[:80]}"
        )

    def confirmed_value(self) -> str:
        return str(self.cleaned_data["new_parent"].pk)


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
    objects = list(queryset)
    form = form_class(request.POST if "apply" in request.POST else None, objects=objects)
    confirmation = form.is_valid() and form.confirmation()
    if form.is_bound and form.is_valid() and not confirmation:
        apply_each(modeladmin, request, objects, title=title, apply=lambda obj: apply(obj, form))
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "objects": objects,
        "form": form,
        "confirmation": confirmation,
        "confirmed_value": form.confirmed_value() if confirmation else "",
        "action": request.POST["action"],
        "opts": modeladmin.model._meta,
    }
    return TemplateResponse(request, "admin/threads/confirm_action.html", context)


class ReadOnlyChangeForm:
    """No object is changed through Django's own change form, for everyone, superusers too:
    what a post derives (html, tree, points, ...) only the forum's services may write. (A
    post's change view is its moderation page, threads.admin.moderate.)"""

    def has_change_permission(self, request, obj=None):
        # Without an object Django asks about the list's actions, which go through services.
        return obj is None and super().has_change_permission(request)
