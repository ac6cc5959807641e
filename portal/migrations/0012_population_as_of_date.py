"""The population's reference date ("Stand") becomes a real date.

Values were typed as text: "2019" (a year: the official population figures of the
Statistisches Landesamt Sachsen refer to 31 December of that year), "2019-12-31" or
"31.12.2019". Anything else stops the migration with the municipality's name, rather than
inventing a date."""

import datetime
import re

from django.db import migrations, models


def _parse(text: str) -> datetime.date:
    text = text.strip()
    if re.fullmatch(r"\d{4}", text):
        return datetime.date(int(text), 12, 31)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return datetime.date.fromisoformat(text)
    if match := re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", text):
        day, month, year = (int(part) for part in match.groups())
        return datetime.date(year, month, day)
    raise ValueError(text)


def to_dates(apps, schema_editor):
    Municipality = apps.get_model("portal", "Municipality")
    for municipality in Municipality.objects.all():
        try:
            municipality.population_date = _parse(municipality.population_as_of)
        except ValueError as error:
            raise ValueError(
                f"{municipality.name}: population as of {municipality.population_as_of!r} "
                "is no date; enter it as 31.12.2019 and migrate again."
            ) from error
        municipality.save(update_fields=["population_date"])


def to_text(apps, schema_editor):
    Municipality = apps.get_model("portal", "Municipality")
    for municipality in Municipality.objects.all():
        municipality.population_as_of = municipality.population_date.strftime("%d.%m.%Y")
        municipality.save(update_fields=["population_as_of"])


class Migration(migrations.Migration):
    dependencies = [("portal", "0011_media_library")]

    operations = [
        migrations.AddField(
            model_name="municipality",
            name="population_date",
            field=models.DateField(null=True),
        ),
        migrations.AlterField(
            model_name="municipality",
            name="population_as_of",
            field=models.CharField(max_length=20, blank=True),
        ),
        migrations.RunPython(to_dates, to_text),
        migrations.RemoveField(model_name="municipality", name="population_as_of"),
        migrations.RenameField(
            model_name="municipality", old_name="population_date", new_name="population_as_of"
        ),
        migrations.AlterField(
            model_name="municipality",
            name="population_as_of",
            field=models.DateField(
                help_text="The reference date of the population figure (“Stand”), e.g. 31.12.2023.",
                verbose_name="population as of",
            ),
        ),
    ]
