"""The media library: uploads checked by content and stripped of metadata, variants made
outside the request, embeds in rich text, and files that are used cannot be deleted."""

import io
import zipfile

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from PIL import Image

from media import services
from media.models import MediaFile, MediaKind, VariantStatus
from media.rendering import expand_embeds
from media.usage import media_usages, used_media_ids
from portal.models import Municipality, NewsArticle
from portal.permissions import EDITORS
from portal.templatetags.portal_tags import rich_text
from tests.factories import EventFactory, MediaFileFactory, NewsArticleFactory, PageFactory

pytestmark = pytest.mark.django_db

GPS_TAG = 0x8825  # GPSInfo in EXIF


def jpeg_with_gps(size=(1200, 800)) -> bytes:
    image = Image.new("RGB", size, (20, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "Kamerahersteller"  # Make
    exif[GPS_TAG] = {1: "N", 2: (51.0, 18.0, 0.0), 3: "E", 4: (13.0, 6.0, 0.0)}
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def png_bytes(size=(1200, 800), colour=(20, 120, 200)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def zip_bytes(names: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as container:
        for name in names:
            container.writestr(name, "x")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def upload(client, name, data, **fields):
    payload = {
        "title": "",
        "alt_text": "",
        "caption": "",
        "credit": "",
        "focal_x": "0.5",
        "focal_y": "0.5",
        "upload": SimpleUploadedFile(name, data),
    }
    return client.post("/admin/media/mediafile/add/", payload | fields)


# --- uploads ---------------------------------------------------------------------------------


def test_upload_strips_location_data_and_randomises_the_name(admin_client, settings):
    response = upload(
        admin_client, "IMG_Familie_Mueller.jpg", jpeg_with_gps(), alt_text="Blaue Fläche"
    )

    assert response.status_code == 302
    media = MediaFile.objects.get()
    assert media.kind == MediaKind.IMAGE
    assert media.title == "IMG_Familie_Mueller"
    assert "Mueller" not in media.file.name  # the public address says nothing about it
    assert media.variants_status == VariantStatus.PENDING
    assert (media.width, media.height) == (1200, 800)
    with Image.open(media.file.path) as stored:
        exif = stored.getexif()
        assert GPS_TAG not in exif
        assert 0x010F not in exif


@pytest.mark.parametrize("image_format", ["PNG", "WEBP"])
def test_other_formats_lose_their_metadata_too(admin_client, image_format):
    exif = Image.Exif()
    exif[GPS_TAG] = {1: "N", 2: (51.0, 18.0, 0.0)}
    exif[0x0112] = 6  # orientation: turned; the pixels are turned instead
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), (1, 2, 3)).save(buffer, format=image_format, exif=exif)

    upload(admin_client, f"bild.{image_format.lower()}", buffer.getvalue(), alt_text="Fläche")

    media = MediaFile.objects.get()
    with Image.open(media.file.path) as stored:
        assert stored.format == image_format
        assert dict(stored.getexif()) == {}
        assert stored.size == (200, 300)
    assert (media.width, media.height) == (200, 300)


def test_variants_are_made_by_the_command_not_the_request(admin_client):
    upload(admin_client, "bild.png", png_bytes((2000, 1000)), alt_text="Blaue Fläche")
    media = MediaFile.objects.get()
    assert media.variants == {}  # nothing made during the upload

    call_command("media_variants", stdout=io.StringIO())

    media.refresh_from_db()
    assert media.variants_status == VariantStatus.DONE
    crop = media.variants["crop"]["files"]
    assert [item["width"] for item in crop["webp"]] == [480, 960, 1500]  # the 3:2 box is 1500 wide
    assert crop["jpeg"][0]["height"] == 320
    with Image.open(media.file.storage.path(crop["webp"][0]["name"])) as small:
        assert small.format == "WEBP"
        assert small.size == (480, 320)
    full = media.variants["full"]["files"]
    assert [item["width"] for item in full["jpeg"]] == [480, 960, 1600]


def test_the_crop_keeps_the_focal_point_in_view(admin_client):
    # Left half red, right half green; a 3:2 crop of a wide image must choose a side.
    image = Image.new("RGB", (3000, 1000), (255, 0, 0))
    image.paste((0, 255, 0), (1500, 0, 3000, 1000))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    upload(
        admin_client, "zweifarbig.png", buffer.getvalue(), alt_text="Rot und Grün", focal_x="0.95"
    )
    media = MediaFile.objects.get()
    services.media_file_make_variants(media=media)

    name = media.variants["crop"]["files"]["jpeg"][0]["name"]
    with Image.open(media.file.storage.path(name)) as cropped:
        red, green, _blue = cropped.convert("RGB").getpixel((cropped.width // 2, 10))
    assert green > 200
    assert red < 60


def test_changing_the_focal_point_queues_the_image_again(admin_client):
    upload(admin_client, "bild.png", png_bytes(), alt_text="Fläche")
    media = MediaFile.objects.get()
    services.media_file_make_variants(media=media)
    response = admin_client.post(
        f"/admin/media/mediafile/{media.pk}/change/",
        {
            "title": media.title,
            "alt_text": "Fläche",
            "caption": "",
            "credit": "",
            "focal_x": "0.2",
            "focal_y": "0.8",
        },
    )
    assert response.status_code == 302
    media.refresh_from_db()
    assert (media.focal_x, media.focal_y) == (0.2, 0.8)
    assert media.variants_status == VariantStatus.PENDING


def test_alt_text_is_required_unless_the_image_is_decorative(admin_client):
    response = upload(admin_client, "bild.png", png_bytes())
    assert response.status_code == 200
    assert "Alternativtext ist Pflicht" in response.content.decode()
    assert not MediaFile.objects.exists()

    response = upload(admin_client, "schmuck.png", png_bytes(), decorative="on")
    assert response.status_code == 302
    assert MediaFile.objects.get().decorative


def test_documents_are_checked_by_their_content(admin_client):
    assert upload(admin_client, "protokoll.pdf", b"%PDF-1.7\n...").status_code == 302
    odt = zip_bytes(["mimetype", "content.xml"])
    assert upload(admin_client, "einladung.odt", odt).status_code == 302
    docx = zip_bytes(["[Content_Types].xml", "word/document.xml"])
    assert upload(admin_client, "brief.docx", docx).status_code == 302
    kinds = set(MediaFile.objects.values_list("kind", "file_type"))
    assert kinds == {("document", "pdf"), ("document", "odt"), ("document", "docx")}


# --- attackers and careless users -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("bild.png", b"<?php system($_GET['c']); ?>", "kein Bild"),
        ("bild.gif", b"GIF89a/*<script>alert(1)</script>*/", "kein Bild"),
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg>', "SVG"),
        ("seite.html", b"<html><script>alert(1)</script></html>", "nicht hochgeladen"),
        ("tarnung.pdf", b"<html><script>alert(1)</script></html>", "nicht hochgeladen"),
        ("makro.docx", b"PK\x03\x04 not really a zip", "nicht hochgeladen"),
        ("programm.exe", b"MZ\x90\x00", "nicht hochgeladen"),
    ],
)
def test_foreign_and_disguised_files_are_refused(admin_client, tmp_path, name, data, message):
    response = upload(admin_client, name, data, alt_text="x")

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not MediaFile.objects.exists()
    assert not [path for path in tmp_path.rglob("*") if path.is_file()]


def test_a_decompression_bomb_is_refused_before_anything_is_decoded(admin_client, tmp_path):
    buffer = io.BytesIO()
    Image.new("1", (9400, 9400), 0).save(buffer, format="PNG", optimize=True)
    assert len(buffer.getvalue()) < 50_000  # passes the size check by far

    response = upload(admin_client, "bombe.png", buffer.getvalue(), alt_text="x")

    body = response.content.decode()
    assert "9400 × 9400 Pixel" in body
    assert "höchstens 25 Megapixel" in body
    assert not MediaFile.objects.exists()
    assert not list(tmp_path.rglob("*.*"))


def test_an_oversized_file_is_refused_with_a_message(admin_client, settings):
    settings.MAX_UPLOAD_SIZE = 1000
    response = upload(admin_client, "gross.png", png_bytes(), alt_text="x")
    assert "Die Datei ist zu groß" in response.content.decode()
    assert not MediaFile.objects.exists()


def test_nul_and_control_characters_in_the_file_name_do_no_harm(admin_client):
    response = upload(admin_client, "bi\x00ld\x07 name.png", png_bytes(), alt_text="Fläche")

    assert response.status_code == 302
    media = MediaFile.objects.get()
    assert "\x00" not in media.title
    assert "\x07" not in media.title
    assert media.file.name.startswith("library/")
    assert "name" not in media.file.name


def test_a_focal_point_outside_the_image_is_refused(admin_client):
    response = upload(admin_client, "bild.png", png_bytes(), alt_text="x", focal_x="7")
    assert response.status_code == 200
    assert "Zahl von 0 bis 1" in response.content.decode()


def test_staff_without_media_permission_cannot_open_or_upload(client, make_staff, tmp_path):
    client.force_login(make_staff("ohne-rechte"))
    assert client.get("/admin/media/mediafile/").status_code == 403
    response = upload(client, "bild.png", png_bytes(), alt_text="x")
    assert response.status_code == 403
    assert not MediaFile.objects.exists()
    assert not [path for path in tmp_path.rglob("*") if path.is_file()]


def test_the_editors_group_may_use_the_library(client, make_staff):
    client.force_login(make_staff("redakteurin", group=EDITORS))
    assert client.get("/admin/media/mediafile/").status_code == 200
    assert upload(client, "bild.png", png_bytes(), alt_text="Fläche").status_code == 302


def test_editor_who_may_only_view_cannot_delete(client, make_staff, django_user_model):
    user = make_staff("leserin")
    user.user_permissions.add(Permission.objects.get(codename="view_mediafile"))
    media = MediaFileFactory()
    client.force_login(user)
    response = client.post(f"/admin/media/mediafile/{media.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert MediaFile.objects.filter(pk=media.pk).exists()


# --- usage, unused files and deleting -----------------------------------------------------------


def test_usages_name_every_place_a_file_is_used():
    image, unused = MediaFileFactory(title="Markt"), MediaFileFactory(title="Übrig")
    NewsArticleFactory(title="Beitrag mit Bild", image=image)
    EventFactory(title="Forum mit Bild", image=image)
    Municipality.objects.filter(slug="muegeln").update(photo=image)
    PageFactory(title="Impressum", body=f"<p>[bild:{image.pk}]</p>")

    labels = [label for label, _url in media_usages(image)]

    assert "Beitrag „Beitrag mit Bild“" in labels
    assert "Veranstaltung „Forum mit Bild“" in labels
    assert "Kommune „Mügeln“" in labels
    assert "Seite „Impressum“" in labels
    assert media_usages(unused) == []
    assert used_media_ids() == {image.pk}


def test_the_unused_filter_lists_only_unused_files(admin_client, django_assert_max_num_queries):
    used = MediaFileFactory(title="Benutztes Bild")
    NewsArticleFactory(image=used)
    in_text = MediaFileFactory(title="Bild im Text")
    EventFactory(description=f"<p>[bild:{in_text.pk}]</p>")
    MediaFileFactory(title="Vergessenes Bild")

    body = admin_client.get("/admin/media/mediafile/?verwendung=unbenutzt").content.decode()

    assert "Vergessenes Bild" in body
    assert "Benutztes Bild" not in body
    assert "Bild im Text" not in body


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_list_queries_do_not_grow_with_the_number_of_files(admin_client):
    # Session, user, counts, the page of files, and the filter's used ids: one query per
    # foreign key to the library and one per model with rich text, whatever the numbers.
    url = "/admin/media/mediafile/?verwendung=unbenutzt"
    MediaFileFactory()
    one = _queries(admin_client, url)
    MediaFileFactory.create_batch(10)
    NewsArticleFactory.create_batch(3, image=MediaFileFactory())
    EventFactory(description="<p>[bild:1]</p>")
    assert _queries(admin_client, url) == one


def test_deleting_a_used_file_is_refused_and_says_where(admin_client):
    image = MediaFileFactory(title="Marktplatz")
    NewsArticleFactory(title="Markttag", image=image)
    text_only = MediaFileFactory(title="Nur im Text")
    PageFactory(title="Datenschutz", body=f"<p>[bild:{text_only.pk}]</p>")

    for media, place in ((image, "Markttag"), (text_only, "Datenschutz")):
        page = admin_client.get(f"/admin/media/mediafile/{media.pk}/delete/").content.decode()
        assert place in page
        assert "geschützt" in page  # Django's German refusal
        admin_client.post(f"/admin/media/mediafile/{media.pk}/delete/", {"post": "yes"})
        assert MediaFile.objects.filter(pk=media.pk).exists()

    response = admin_client.post(
        "/admin/media/mediafile/",
        {"action": "delete_selected", "_selected_action": [image.pk, text_only.pk], "post": "yes"},
    )
    assert response.status_code == 200
    assert MediaFile.objects.count() == 2


def test_the_service_refuses_to_delete_a_file_used_in_a_text():
    media = MediaFileFactory(title="Im Text")
    EventFactory(title="Forum", results=f"<p>[bild:{media.pk}]</p>")
    with pytest.raises(services.MediaInUseError, match="Forum"):
        services.media_file_delete(media=media)
    assert MediaFile.objects.filter(pk=media.pk).exists()


def test_an_unused_file_is_deleted_with_its_variants(
    admin_client, tmp_path, django_capture_on_commit_callbacks
):
    upload(admin_client, "bild.png", png_bytes(), alt_text="Fläche")
    media = MediaFile.objects.get()
    services.media_file_make_variants(media=media)
    assert len(list(tmp_path.rglob("*.webp"))) == 6

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/media/mediafile/",
            {"action": "delete_selected", "_selected_action": [media.pk], "post": "yes"},
            follow=True,
        )

    assert response.status_code == 200
    assert not MediaFile.objects.exists()
    assert not [path for path in tmp_path.rglob("*") if path.is_file()]


# --- rendering ---------------------------------------------------------------------------------


def test_an_embedded_image_renders_as_a_figure_with_alt_and_caption():
    media = MediaFileFactory(
        alt_text="Der Marktplatz", caption="Markt in Oschatz", credit="Foto: Stadt Oschatz"
    )
    html = str(rich_text(f"<p>Vorher</p><p>[bild:{media.pk}]</p><p>Nachher</p>"))
    assert '<figure class="media-figure">' in html
    assert 'alt="Der Marktplatz"' in html
    assert 'width="1200" height="800"' in html
    assert "Markt in Oschatz" in html
    assert "Foto: Stadt Oschatz" in html
    assert "[bild:" not in html


def test_an_embedded_document_renders_as_a_download_link():
    document = MediaFileFactory(
        kind=MediaKind.DOCUMENT,
        title="Protokoll",
        file="library/p.pdf",
        file_type="pdf",
        size=2048,
        alt_text="",
    )
    html = expand_embeds(f"<p>Siehe [datei:{document.pk}] zum Nachlesen.</p>")
    assert 'href="/media/library/p.pdf" download>Protokoll</a>' in html
    assert "PDF, 2,0" in html


def test_unknown_or_hostile_embed_codes_render_nothing_dangerous():
    media = MediaFileFactory(alt_text='"><script>alert(1)</script>', caption="<b>x</b>")
    html = str(
        rich_text(
            f'<p>[bild:999999]</p><p>[bild:{media.pk}]</p><p><a href="[bild:{media.pk}]">x</a></p>'
            "<p>[bild:99999999999999999999]</p><script>alert(2)</script>"
        )
    )
    assert "<script>" not in html
    assert "&lt;script&gt;" in html  # the alt text is escaped
    assert "<b>x</b>" not in html
    assert "[bild:999999]" not in html  # a deleted file leaves no trace


def test_a_picture_shows_the_original_until_variants_exist_then_the_variants(client):
    media = MediaFileFactory(file="library/ort.jpg")
    article = NewsArticleFactory(slug="mit-bild", image=media)
    body = client.get(article.get_absolute_url()).content.decode()
    assert 'src="/media/library/ort.jpg"' in body
    assert 'width="1200" height="800"' in body

    media.variants = {
        "crop": {
            "files": {
                fmt: [
                    {
                        "name": f"library/variants/ort-crop-{w}.{fmt}",
                        "width": w,
                        "height": w * 2 // 3,
                    }
                    for w in (480, 960)
                ]
                for fmt in ("webp", "jpeg")
            }
        }
    }
    media.variants_status = VariantStatus.DONE
    media.save()
    from django.core.cache import cache

    cache.clear()
    body = client.get(article.get_absolute_url()).content.decode()
    assert (
        '<source type="image/webp" srcset="/media/library/variants/ort-crop-480.webp 480w' in body
    )
    assert 'width="960" height="640"' in body
    assert 'alt="Ein Bild der Region"' in body


def test_news_list_queries_do_not_grow_with_images(client):
    from django.core.cache import cache

    NewsArticleFactory(image=MediaFileFactory())
    cache.clear()
    one = _queries(client, "/aktuelles/")
    NewsArticleFactory.create_batch(5, image=MediaFileFactory())
    cache.clear()
    # The image comes with the article (select_related): no query per card.
    assert _queries(client, "/aktuelles/") == one


# --- choosing library files elsewhere ----------------------------------------------------------


def _article_data(**changes) -> dict:
    return {
        "title": "Mit Bild",
        "slug": "mit-bild",
        "teaser": "Kurz.",
        "body": "<p>Text</p>",
        "status": "draft",
        "published_at_0": "01.01.2025",
        "published_at_1": "10:00",
    } | changes


@pytest.mark.parametrize("tampered", ["999999", "-1", "abc", "1\x00", "99999999999999999999"])
def test_a_tampered_image_id_is_refused_without_error(admin_client, tampered):
    response = admin_client.post("/admin/portal/newsarticle/add/", _article_data(image=tampered))
    assert response.status_code == 200
    body = response.content.decode()
    # Django's German messages: not a valid choice, or (NUL) no null characters allowed.
    assert "Bitte eine gültige Auswahl treffen" in body or "Nullzeichen" in body
    assert not NewsArticle.objects.exists()


def test_a_document_cannot_be_chosen_as_an_image(admin_client):
    document = MediaFileFactory(kind=MediaKind.DOCUMENT, alt_text="", file="library/a.pdf")
    response = admin_client.post(
        "/admin/portal/newsarticle/add/", _article_data(image=str(document.pk))
    )
    assert response.status_code == 200
    assert not NewsArticle.objects.exists()
    found = admin_client.get(
        "/admin/autocomplete/",
        {"app_label": "portal", "model_name": "newsarticle", "field_name": "image", "term": ""},
    ).json()
    assert found["results"] == []


def test_the_image_picker_searches_the_library(admin_client):
    MediaFileFactory(title="Marktplatz Oschatz")
    MediaFileFactory(title="Collm im Winter")
    found = admin_client.get(
        "/admin/autocomplete/",
        {"app_label": "events", "model_name": "event", "field_name": "image", "term": "collm"},
    ).json()
    assert [item["text"] for item in found["results"]] == ["Collm im Winter (Bild)"]


def test_staff_without_media_permission_cannot_search_the_library(client, make_staff):
    MediaFileFactory(title="Marktplatz Oschatz")
    client.force_login(make_staff("ohne-mediathek", group=None))
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "portal", "model_name": "newsarticle", "field_name": "image", "term": "M"},
    )
    assert response.status_code == 403


def test_a_changed_alternative_text_shows_at_once_on_every_page(client):
    """Attack on "changes show at once": staff correct a picture's alternative text; the
    article, the news list and the home page, kept per worker under the content version,
    must not keep the old text (the media file is public content)."""
    media = MediaFileFactory(file="library/ort.jpg", alt_text="Alter Bildtext")
    article = NewsArticleFactory(slug="mit-bild", image=media)
    for url in (article.get_absolute_url(), "/aktuelles/"):
        assert 'alt="Alter Bildtext"' in client.get(url).content.decode(), url
    media.alt_text = "Neuer Bildtext zur Kirche"
    media.save()
    for url in (article.get_absolute_url(), "/aktuelles/"):
        body = client.get(url).content.decode()
        assert 'alt="Neuer Bildtext zur Kirche"' in body, url
        assert "Alter Bildtext" not in body, url
