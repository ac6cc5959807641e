"""What tests of the kept parts share."""

from django.db import connection

from portal.cache_versions import SEQUENCE


def bump_as_another_worker() -> None:
    """What a save on another worker or app server leaves behind: only the counter in the
    database is raised, this process's memory is not told."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s)", [SEQUENCE])
