"""Reading generated scans back, at scale: ``make bench-scan`` (also run by ``make bench``).

Generates SHEETS filled-in copies of the seeded mobility questionnaire (mixed 200/300 dpi,
in stacks of ten), reads them with ``read_stack`` and prints the confusion table of the
boxes, the share decided correctly without review, the errors not caught by review, and the
CPU time per page (BENCHMARKS.md, "Papierfragebögen lesen").
"""

import datetime
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oschatzerland.settings")
# No web server here: development settings (no secret key or hosts needed) do.
os.environ.setdefault("DJANGO_DEBUG", "true")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import timezone, translation  # noqa: E402

from survey.demo import seed_mobility  # noqa: E402
from survey.models import Survey  # noqa: E402
from survey.scanning.printing import layout_for_survey, paper_sheets_issue  # noqa: E402
from survey.scanning.reader import read_stack  # noqa: E402
from survey.scanning.testset import (  # noqa: E402
    Score,
    scan_testset_write,
    score_readings,
    score_table,
)

STACK = 10


def main(sheets: int) -> None:
    translation.activate("de")
    call_command("migrate", verbosity=0)
    survey = Survey.objects.filter(slug="mobilitaet-2026").first()
    if survey is None:
        now = timezone.now()
        survey = seed_mobility(
            io.StringIO(),
            opens_at=now - datetime.timedelta(days=1),
            closes_at=now + datetime.timedelta(days=30),
        )
    layout = layout_for_survey(survey=survey)
    score = Score()
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as folder:
        for stack in range(0, sheets, STACK):
            count = min(STACK, sheets - stack)
            numbers = paper_sheets_issue(survey=survey, count=count, layout=layout, user=None)
            suffix = ".pdf" if stack % (2 * STACK) else ".tif"
            out = Path(folder) / f"stack{stack}{suffix}"
            truth = scan_testset_write(
                layout_obj=layout, out=out, sheets=count, seed=stack, first_sheet=numbers.first
            )
            score_readings(read_stack(survey, out), json.loads(truth.read_text()), score)
            sys.stderr.write(f"{stack + count} sheets read\n")
    sys.stdout.write(score_table(score) + "\n")
    for reason, count in sorted(score.reasons.items(), key=lambda item: -item[1]):
        sys.stdout.write(f"review {count:5d} × {reason}\n")
    sys.stdout.write(
        f"sheets {score.sheets}, pages {score.pages}, boxes {score.boxes}, "
        f"correct {score.correct} ({score.correct / score.boxes:.4%}), "
        f"correct without review {score.share_correct_unreviewed:.4%} "
        f"(not counting handwriting-only reviews {score.share_boxes_unreviewed:.4%}); "
        f"questions {score.questions}, to review {score.reviewed}, "
        f"errors caught by review {score.caught_errors}, "
        f"errors not caught {len(score.silent_errors)} {score.silent_errors[:10]}; "
        f"text areas {score.text_areas} ({score.text_areas_correct} written/empty right); "
        f"sheets stored without review {score.sheets_stored}; "
        f"CPU per page {score.cpu / score.pages:.3f} s; wall {time.monotonic() - started:.0f} s\n"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
