"""The forum's only upload handler: it takes no files and no body over the form limit."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler


class RefuseFiles(FileUploadHandler):
    """Refuses a multipart body larger than any form before reading it; drops file parts.

    Django holds only a multipart body's form fields to DATA_UPLOAD_MAX_MEMORY_SIZE: its own
    handlers would read a file part of any size into memory or a temporary file."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            raise RequestDataTooBig("The request body is larger than any form of the forum.")

    def receive_data_chunk(self, raw_data, start):
        return None

    def file_complete(self, file_size):
        return None
