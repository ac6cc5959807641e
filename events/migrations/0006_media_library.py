"""Events take an image from the media library; plain-text descriptions and documentation
become paragraphs for the rich-text editor (line breaks survive, no raw tags)."""

import django.db.models.deletion
from django.db import migrations, models
from django.utils.html import linebreaks


def _as_paragraphs(text: str) -> str:
    if not text or text.lstrip().startswith("<"):
        return text
    return linebreaks(text, autoescape=True)


def forwards(apps, schema_editor):
    for event in apps.get_model("events", "Event").objects.all():
        event.description = _as_paragraphs(event.description)
        event.results = _as_paragraphs(event.results)
        event.save(update_fields=["description", "results"])


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0005_registration_already_registered_mail"),
        ("media", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="event",
            name="image",
            field=models.ForeignKey(
                blank=True,
                help_text="An image from the media library, shown above the description.",
                limit_choices_to={"kind": "image"},
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="events",
                to="media.mediafile",
                verbose_name="image",
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
