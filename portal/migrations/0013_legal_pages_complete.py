"""Complete Impressum (§ 5 DDG, § 18 MStV) and Datenschutzerklärung (Art. 13 DSGVO).

Replaces the first versions from 0002 with the texts in portal/data/pages/, but only where
staff have not edited them yet (the body is still the seeded text, recognised by its hash):
staff edits are never overwritten."""

import hashlib
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "pages"
SEEDED = {
    "impressum": "5b6ba8452044f9c40f38e9e3bc95e6ae5c983559ca85a1eaecadd9285d85186e",
    "datenschutz": "e086e34598304cc1b94d5c05eb75355d073efdba26c03b1a822dd0f30033ae86",
}


def update(apps, schema_editor):
    Page = apps.get_model("portal", "Page")
    for slug, seeded in SEEDED.items():
        page = Page.objects.filter(slug=slug).first()
        if page is None or hashlib.sha256(page.body.encode()).hexdigest() != seeded:
            continue
        page.body = (DATA / f"{slug}.html").read_text(encoding="utf-8")
        page.save(update_fields=["body"])


class Migration(migrations.Migration):
    dependencies = [("portal", "0012_population_as_of_date")]

    operations = [migrations.RunPython(update, migrations.RunPython.noop)]
