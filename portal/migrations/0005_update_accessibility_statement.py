"""The accessibility statement says what the automated sweep tests and how to report barriers.

Updates the page only while its text is still the one migration 0002 seeded: staff may have
edited it since, and their text wins. New installations get the new text from 0002 already
(it reads ``portal/data/pages/barrierefreiheit.html``), so this is a no-op there.
"""

import hashlib
from pathlib import Path

from django.db import migrations

SLUG = "barrierefreiheit"
STATEMENT = Path(__file__).resolve().parent.parent / "data" / "pages" / f"{SLUG}.html"
# SHA-256 of the stripped text that 0002 seeded until November 2026 (commit 93c5285).
SEEDED_SHA256 = "19ac74e688a70065ae805de7d9923f1667cb780305d3d07e3c7d0dc1faec79a6"


def update_statement(apps, schema_editor):
    Page = apps.get_model("portal", "Page")
    page = Page.objects.filter(slug=SLUG).first()
    if page is None:
        return
    if hashlib.sha256(page.body.strip().encode()).hexdigest() != SEEDED_SHA256:
        return  # edited by staff (or already new): leave it alone
    page.body = STATEMENT.read_text(encoding="utf-8")
    page.save(update_fields=["body", "updated_at"])


class Migration(migrations.Migration):
    dependencies = [("portal", "0004_staff_groups")]

    operations = [migrations.RunPython(update_statement, migrations.RunPython.noop)]
