"""The backup format: Django's JSON serialisation, keeping times to the microsecond.

Django's own JSON format cuts times to milliseconds, so a restored forum would not show the
same times (or the same order of posts written within one millisecond) as the original.
"""

from datetime import datetime, time

from django.core.serializers import json as django_json


class Serializer(django_json.Serializer):
    def _value_from_field(self, obj, field):
        value = field.value_from_object(obj)
        if isinstance(value, datetime | time):
            return value.isoformat()
        return super()._value_from_field(obj, field)


Deserializer = django_json.Deserializer
