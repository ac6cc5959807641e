"""Real data every installation needs: the seven municipalities, the 14 cooperation topics
and the legally required pages (staff edit them afterwards)."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"

TOPICS = [
    ("Kinderbetreuung", "kinderbetreuung", "Kitas, Horte und Tagespflege in allen Ortsteilen."),
    ("Bildung", "bildung", "Schulen, Erwachsenenbildung und Bibliotheken in der Region."),
    ("Feuerwehr", "feuerwehr", "Ausstattung und Nachwuchs der Freiwilligen Feuerwehren."),
    ("Infrastruktur", "infrastruktur", "Straßen, schnelles Internet und Versorgung."),
    ("Radverkehr", "radverkehr", "Sichere Rad- und Fußwege zwischen den Orten."),
    ("ÖPNV", "oepnv", "Bus, Bahn und Rufbus: Wege ohne eigenes Auto."),
    ("Seniorenbetreuung", "seniorenbetreuung", "Gut älter werden: Pflege, Treffpunkte, Hilfe."),
    ("Natur, Umwelt, Klimaschutz", "natur-umwelt-klimaschutz",
     "Dahlener Heide, Wermsdorfer Forst, Gewässer und Klimaschutz vor Ort."),
    ("Unterhalt Gewässer", "unterhalt-gewaesser", "Pflege von Bächen, Gräben und Teichen."),
    ("Bauland", "bauland", "Wohnen und Bauen für Familien und Rückkehrer."),
    ("Tourismus, Naherholung, Kultur", "tourismus-naherholung-kultur",
     "Schlösser, Bäder, Wanderwege und Kultur in der Collmregion."),
    ("Bauhof", "bauhof", "Gemeinsame Technik und Zusammenarbeit der Bauhöfe."),
    ("Wirtschaft", "wirtschaft", "Unternehmen ansiedeln, Handwerk und Handel stärken."),
    ("Döllnitzbahn", "doellnitzbahn", "Die Schmalspurbahn „Wilder Robert“ als Verbindung der Region."),
]

PAGES = [
    # slug, title, description, show_in_footer, position
    ("kooperation", "Die Kooperation", "Sieben Kommunen arbeiten seit 2016 gemeinsam an der "
     "Zukunft des Oschatzer Landes.", False, 1),
    ("leichte-sprache", "Leichte Sprache", "Das Portal in Leichter Sprache erklärt.", True, 2),
    ("impressum", "Impressum", "Wer für dieses Portal verantwortlich ist.", True, 10),
    ("datenschutz", "Datenschutzerklärung", "Welche Daten dieses Portal verarbeitet und "
     "welche Rechte Sie haben.", True, 11),
    ("barrierefreiheit", "Erklärung zur Barrierefreiheit", "Wie barrierefrei dieses Portal ist "
     "und wie Sie Barrieren melden.", True, 12),
]


def seed(apps, schema_editor):
    Municipality = apps.get_model("portal", "Municipality")
    Topic = apps.get_model("portal", "Topic")
    Page = apps.get_model("portal", "Page")
    for row in json.loads((DATA / "municipalities.json").read_text(encoding="utf-8")):
        row = dict(row)
        row["districts"] = "\n".join(row["districts"])
        slug = row.pop("slug")
        Municipality.objects.update_or_create(slug=slug, defaults=row)
    for position, (name, slug, description) in enumerate(TOPICS, start=1):
        Topic.objects.update_or_create(
            slug=slug, defaults={"name": name, "description": description, "position": position}
        )
    # The flag went into menu entries (0014_menu_items); the tests re-run this function on
    # the current models (tests/conftest.py), which no longer have it.
    has_flag = any(field.name == "show_in_footer" for field in Page._meta.get_fields())
    for slug, title, description, footer, position in PAGES:
        body = (DATA / "pages" / f"{slug}.html").read_text(encoding="utf-8")
        defaults = {"title": title, "description": description, "body": body, "position": position}
        if has_flag:
            defaults["show_in_footer"] = footer
        Page.objects.get_or_create(slug=slug, defaults=defaults)


def set_site(apps, schema_editor):
    Site = apps.get_model("sites", "Site")
    Site.objects.update_or_create(
        id=1, defaults={"domain": "oschatzerland.de", "name": "Oschatzer Land – Collmregion"}
    )


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0001_initial"),
        ("sites", "0002_alter_domain_unique"),
    ]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.RunPython(set_site, migrations.RunPython.noop),
    ]
