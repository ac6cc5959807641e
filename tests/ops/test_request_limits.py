"""Request bodies: an anonymous visitor cannot make a worker read 50 MB; staff uploads in the
admin still work up to DJANGO_MAX_UPLOAD_SIZE."""

import pytest

pytestmark = pytest.mark.django_db

BOUNDARY = "grenze"
MB = 1024 * 1024


class SlowUpload:
    """A multipart body of `size` bytes produced on demand, counting what the server reads."""

    def __init__(self, size: int, *, fields: dict | None = None):
        head = "".join(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            for name, value in (fields or {}).items()
        )
        head += (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="anhang"; filename="a.bin"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        )
        self.head = head.encode()
        self.tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.size = size
        self.filler = size - len(self.head) - len(self.tail)
        self.position = 0
        self.read_bytes = 0

    def read(self, n: int = -1) -> bytes:
        if n is None or n < 0:
            n = self.size - self.position
        n = min(n, self.size - self.position)
        out = bytearray()
        while len(out) < n:
            pos = self.position + len(out)
            if pos < len(self.head):
                chunk = self.head[pos : pos + n - len(out)]
            elif pos < len(self.head) + self.filler:
                chunk = b"a" * min(n - len(out), len(self.head) + self.filler - pos)
            else:
                offset = pos - len(self.head) - self.filler
                chunk = self.tail[offset : offset + n - len(out)]
            out += chunk
        self.position += n
        self.read_bytes += n
        return bytes(out)

    def readline(self, limit: int = -1) -> bytes:
        return self.read(limit if limit and limit > 0 else 64 * 1024)


def _post(client, path, body):
    return client.generic(
        "POST",
        path,
        **{
            "wsgi.input": body,
            "CONTENT_LENGTH": str(body.size),
            "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
        },
    )


@pytest.mark.parametrize("path", ["/kontakt/", "/mitmachen/", "/termine/", "/suche/"])
def test_anonymous_50_mb_post_is_refused_unread(client, path):
    body = SlowUpload(50 * MB, fields={"name": "Bot"})

    response = _post(client, path, body)

    assert response.status_code == 413
    assert "zu groß" in response.content.decode()
    assert body.read_bytes == 0


@pytest.mark.parametrize(
    ("length", "status"),
    [("", 413), ("nicht-zahl", 400)],
    ids=["chunked", "garbage-length"],
)
def test_body_without_an_honest_length_is_refused_unread(client, length, status):
    # A client that sends no (or a nonsense) Content-Length would otherwise be read until
    # it stops; the limit cannot be judged before reading, so it is refused.
    body = SlowUpload(50 * MB, fields={"name": "Bot"})

    response = client.generic(
        "POST",
        "/kontakt/",
        **{
            "wsgi.input": body,
            "CONTENT_LENGTH": length,
            "HTTP_TRANSFER_ENCODING": "chunked",
            "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
        },
    )

    assert response.status_code == status
    assert body.read_bytes == 0


def test_public_form_of_normal_size_still_works(client):
    response = client.post("/kontakt/", {"name": "Erika", "message": "x" * 5000})
    assert response.status_code == 200  # the form answers (with its own messages)


def test_admin_upload_below_the_upload_limit_is_read(client, admin_user, settings):
    settings.MAX_UPLOAD_SIZE = 5 * MB
    client.force_login(admin_user)
    body = SlowUpload(3 * MB, fields={"title": "Mit Anhang"})

    response = _post(client, "/admin/portal/newsarticle/add/", body)

    assert response.status_code == 200  # the admin form, with its messages
    assert body.read_bytes == body.size


@pytest.mark.parametrize(
    "path", ["/admin/login/", "/admin/portal/newsarticle/add/", "/admin/../kontakt/"]
)
def test_anonymous_50_mb_post_to_an_admin_address_is_refused_unread(client, path):
    # Only signed-in staff upload in the admin; the login page itself is public.
    body = SlowUpload(50 * MB, fields={"username": "admin"})

    response = _post(client, path, body)

    assert response.status_code == 413
    assert body.read_bytes == 0


def test_forged_session_cookie_does_not_open_the_admin_limit(client):
    client.cookies["sessionid"] = "x" * 32
    body = SlowUpload(50 * MB, fields={"username": "admin"})

    response = _post(client, "/admin/login/", body)

    assert response.status_code == 413
    assert body.read_bytes == 0
