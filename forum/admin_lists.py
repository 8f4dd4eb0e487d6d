"""What every admin list of the forum shares: actions refuse selected ids that are no ids."""

from django.contrib import messages
from django.contrib.admin import helpers

from forum.http import whole_number


class SelectedIdsChecked:
    """A crafted POST naming something that is not an id would reach the database and answer
    500; it is told that nothing was done instead."""

    def response_action(self, request, queryset, **options):
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if all(whole_number(value) is not None for value in selected):
            return super().response_action(request, queryset, **options)
        self.message_user(
            request, "Those are not items of this list: nothing was done.", messages.ERROR
        )
        return None
