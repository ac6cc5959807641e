"""Where scanned stacks and their cut-outs live: a folder outside ``MEDIA_ROOT``
(``DJANGO_PRIVATE_ROOT``, default ``var/private``), readable by the portal's user only, and
without any URL. Staff see cut-outs through a view that checks their permission."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.functional import cached_property


class PrivateStorage(FileSystemStorage):
    """A file system storage that has no public address: ``url()`` refuses."""

    def __init__(self, **kwargs):
        kwargs.setdefault("file_permissions_mode", 0o600)
        kwargs.setdefault("directory_permissions_mode", 0o700)
        super().__init__(**kwargs)

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_ROOT)

    @cached_property
    def base_url(self):
        return None

    def url(self, name):
        raise ValueError("Private files have no URL; serve them through a permission check.")


private_storage = PrivateStorage()


def get_private_storage() -> PrivateStorage:
    """The storage for ``FileField(storage=...)``: a callable, so that migrations do not
    carry the folder."""
    return private_storage
