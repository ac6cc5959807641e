"""News, municipalities and topics take their images from the media library; long texts
become rich text.

Existing uploads (news images, coats of arms) become library files pointing at the same
stored file (queued for their variants); plain-text portraits, topic descriptions and page
texts become paragraphs, so the editor never shows raw tags and line breaks survive."""

import django.db.models.deletion
from django.db import migrations, models
from django.utils.html import linebreaks

from portal.permissions import EDITORS, grant_model_permissions

IMAGE_FK = {
    "null": True,
    "blank": True,
    "on_delete": django.db.models.deletion.PROTECT,
    "to": "media.mediafile",
    "limit_choices_to": {"kind": "image"},
}


def _as_paragraphs(text: str) -> str:
    if not text or text.lstrip().startswith("<"):
        return text  # empty, or HTML already
    return linebreaks(text, autoescape=True)


def _library_file(MediaFile, fieldfile, *, title: str, alt: str):
    from PIL import Image

    try:
        with fieldfile.storage.open(fieldfile.name, "rb") as handle, Image.open(handle) as image:
            width, height, file_format = image.width, image.height, image.format or ""
        size = fieldfile.storage.size(fieldfile.name)
    except (OSError, ValueError):
        return None  # the file is gone: nothing to move
    return MediaFile.objects.create(
        kind="image",
        title=title[:200],
        file=fieldfile.name,
        alt_text=alt[:250],
        decorative=not alt,
        width=width,
        height=height,
        size=size,
        file_type={"JPEG": "jpg"}.get(file_format, file_format.lower())[:10],
        variants_status="pending",
    )


def forwards(apps, schema_editor):
    MediaFile = apps.get_model("media", "MediaFile")
    for article in apps.get_model("portal", "NewsArticle").objects.exclude(old_image=""):
        article.image = _library_file(
            MediaFile, article.old_image, title=article.title, alt=article.image_alt
        )
        article.save(update_fields=["image"])
    Municipality = apps.get_model("portal", "Municipality")
    for municipality in Municipality.objects.all():
        if municipality.old_coat_of_arms:
            municipality.coat_of_arms = _library_file(
                MediaFile,
                municipality.old_coat_of_arms,
                title=f"Wappen {municipality.name}",
                alt=municipality.coat_of_arms_alt,
            )
        municipality.portrait = _as_paragraphs(municipality.portrait)
        municipality.save(update_fields=["coat_of_arms", "portrait"])
    for topic in apps.get_model("portal", "Topic").objects.all():
        topic.description = _as_paragraphs(topic.description)
        topic.save(update_fields=["description"])
    for page in apps.get_model("portal", "Page").objects.all():
        page.body = _as_paragraphs(page.body)
        page.save(update_fields=["body"])


def grant(apps, schema_editor):
    grant_model_permissions(apps, group=EDITORS, app_label="media", models=["mediafile"])


class Migration(migrations.Migration):
    dependencies = [
        ("media", "0001_initial"),
        ("portal", "0010_footer_cooperation_page"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="newsarticle", name="newsarticle_image_needs_alt"),
        migrations.RemoveConstraint(
            model_name="municipality", name="municipality_coat_of_arms_needs_alt"
        ),
        migrations.RenameField("newsarticle", "image", "old_image"),
        migrations.RenameField("municipality", "coat_of_arms", "old_coat_of_arms"),
        migrations.AddField(
            model_name="newsarticle",
            name="image",
            field=models.ForeignKey(
                help_text=(
                    "An image from the media library (upload it there once, with its "
                    "alternative text); shown on the news cards and above the article."
                ),
                related_name="news_articles",
                verbose_name="image",
                **IMAGE_FK,
            ),
        ),
        migrations.AddField(
            model_name="municipality",
            name="coat_of_arms",
            field=models.ForeignKey(
                help_text="An image from the media library.",
                related_name="municipality_arms",
                verbose_name="coat of arms",
                **IMAGE_FK,
            ),
        ),
        migrations.AddField(
            model_name="municipality",
            name="photo",
            field=models.ForeignKey(
                help_text="An image from the media library, shown at the top of the page.",
                related_name="municipality_photos",
                verbose_name="photo",
                **IMAGE_FK,
            ),
        ),
        migrations.AddField(
            model_name="topic",
            name="image",
            field=models.ForeignKey(
                help_text="An image from the media library.",
                related_name="topics",
                verbose_name="image",
                **IMAGE_FK,
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.RemoveField("newsarticle", "old_image"),
        migrations.RemoveField("newsarticle", "image_alt"),
        migrations.RemoveField("newsarticle", "image_small"),
        migrations.RemoveField("newsarticle", "image_large"),
        migrations.RemoveField("municipality", "old_coat_of_arms"),
        migrations.RemoveField("municipality", "coat_of_arms_alt"),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
