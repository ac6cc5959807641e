"""The media library in the browser: an image is uploaded once in the admin, then chosen for a
news article and an event, and residents see it on both public pages."""

import io
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from PIL import Image

from events.models import Event
from media.models import MediaFile, VariantStatus
from portal.models import NewsArticle
from tests.browser.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Redaktion-Test-2026"
ALT = "Blühende Wiese vor dem Collm"
# Screenshots for people reviewing the change (optional): MEDIA_SHOTS_DIR=/some/dir
SHOTS = os.environ.get("MEDIA_SHOTS_DIR")


def landscape_png() -> bytes:
    image = Image.new("RGB", (1600, 1000), "#bfe0f2")
    image.paste((11, 90, 60), (0, 600, 1600, 1000))
    image.paste((217, 142, 4), (700, 150, 900, 350))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def serve_media(page, base_url: str):
    """The live server runs without DEBUG and so serves no uploads (nginx does in
    production): answer /media/ from MEDIA_ROOT, only within the live server's host."""

    def handle(route):
        name = route.request.url.removeprefix(base_url + "/media/").split("?")[0]
        path = Path(settings.MEDIA_ROOT) / name
        if path.is_file() and path.resolve().is_relative_to(Path(settings.MEDIA_ROOT).resolve()):
            route.fulfill(path=str(path))
        else:
            route.fulfill(status=404)

    page.route(base_url + "/media/**", handle)


def shot(page, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / name), full_page=False)


def choose_in_autocomplete(page, field: str, text: str):
    page.locator(f"#{field} + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(text)
    page.locator(".select2-results__option", has_text=text).first.click()


def assert_image_shown(page, alt: str):
    image = page.get_by_alt_text(alt).first
    image.scroll_into_view_if_needed()
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")
    assert image.get_attribute("width")
    assert image.get_attribute("height")


def test_image_uploaded_once_is_used_in_a_news_article_and_an_event(
    page, live_server, django_user_model, settings, tmp_path, check_accessible
):
    settings.MEDIA_ROOT = tmp_path
    django_user_model.objects.create_superuser("redaktion", password=PASSWORD)
    serve_media(page, live_server.url)
    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + "/admin/login/?next=/admin/media/mediafile/add/")
    page.fill("#id_username", "redaktion")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")

    # Upload once, with alt text, caption and credit.
    page.set_input_files(
        "#id_upload",
        files=[{"name": "wiese.png", "mimeType": "image/png", "buffer": landscape_png()}],
    )
    page.fill("#id_title", "Wiese am Collm")
    page.fill("#id_alt_text", ALT)
    page.fill("#id_caption", "Die Wiese im Mai")
    page.fill("#id_credit", "Foto: Gemeinde Wermsdorf")
    page.click("input[name=_continue]")
    page.wait_for_url("**/admin/media/mediafile/*/change/")
    media = MediaFile.objects.get()
    # The focal point is set by clicking on the image (the number fields follow).
    picker = page.locator("[data-focal-picker] img")
    box = picker.bounding_box()
    picker.click(position={"x": box["width"] * 0.8, "y": box["height"] * 0.25})
    assert page.input_value("#id_focal_x") == "0.80"
    assert page.input_value("#id_focal_y") == "0.25"
    page.click("input[name=_save]")
    page.wait_for_url("**/admin/media/mediafile/")
    media.refresh_from_db()
    assert (media.focal_x, media.focal_y) == (0.8, 0.25)
    call_command("media_variants", stdout=io.StringIO())  # cron's job, outside any request
    assert MediaFile.objects.get().variants_status == VariantStatus.DONE
    shot(page, "media-library-changelist.png")

    # The same image in a news article …
    page.goto(live_server.url + "/admin/portal/newsarticle/add/")
    page.fill("#id_title", "Frühling am Collm")
    page.fill("#id_teaser", "Die Wiesen blühen.")
    page.locator(".ProseMirror[contenteditable=true]").click()
    page.keyboard.type("Ein Spaziergang lohnt sich.")
    choose_in_autocomplete(page, "id_image", "Wiese am Collm")
    page.select_option("#id_status", "published")
    page.click("input[name=_save]")
    page.wait_for_url("**/admin/portal/newsarticle/")
    assert NewsArticle.objects.get().image == media

    # … and in an event.
    page.goto(live_server.url + "/admin/events/event/add/")
    page.fill("#id_title", "Wiesenspaziergang")
    page.select_option("#id_kind", index=1)
    page.fill("#id_starts_at_0", "01.06.2030")
    page.fill("#id_starts_at_1", "10:00")
    page.fill("#id_ends_at_0", "01.06.2030")
    page.fill("#id_ends_at_1", "12:00")
    choose_in_autocomplete(page, "id_image", "Wiese am Collm")
    page.select_option("#id_publication", "published")  # new events start as drafts
    page.click("input[name=_save]")
    page.wait_for_url("**/admin/events/event/")
    assert Event.objects.get().image == media
    assert MediaFile.objects.count() == 1  # uploaded once

    # The library knows where the file is used and refuses to delete it.
    page.goto(live_server.url + f"/admin/media/mediafile/{media.pk}/delete/")
    assert "Frühling am Collm" in page.content()
    assert "Wiesenspaziergang" in page.content()

    resident = page.context.browser.new_context(viewport=PHONE).new_page()
    serve_media(resident, live_server.url)
    resident.goto(live_server.url + "/aktuelles/")
    assert_image_shown(resident, ALT)
    shot(resident, "news-card-phone.png")
    resident.get_by_role("link", name="Frühling am Collm").first.click()
    assert_image_shown(resident, ALT)
    assert "Foto: Gemeinde Wermsdorf" in resident.locator(".news-article").inner_text()
    check_accessible(resident)
    resident.goto(live_server.url + "/termine/" + Event.objects.get().slug + "/")
    assert_image_shown(resident, ALT)
    check_accessible(resident)
    resident.context.close()
