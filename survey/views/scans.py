"""Staff review what the machine was unsure about on scanned questionnaires: one answer at a
time, the cut-out of the scan beside the proposed value, Enter confirms. The cut-outs are
personal data and are served only here, to staff who may enter this survey's paper sheets."""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from survey import selectors
from survey.forms import SectionForm
from survey.kinds import AnswerInput
from survey.models import ScanAnswer, ScannedSheetState, ScanTextCrop, Survey
from survey.paper import answers_form_data
from survey.permissions import SurveyStaffMixin, staff_has_perm, surveys_for_staff
from survey.scanning.services import ScanReviewError, scan_answer_confirm, scan_answers_to_review
from survey.scanning.storage import private_storage

PERMISSION = "survey.enter_paper_response"
FORM_PREFIX = "r"


def answer_texts(question, inputs: list[AnswerInput]) -> list[str]:
    """The answers as staff read them on the sheet: option labels, "row: value", numbers."""
    options = {option.pk: option.label for option in question.option_list}
    items = {item.pk: item.label for item in question.item_list}
    texts = []
    for answer in inputs:
        if answer.item_id is not None:
            texts.append(f"{items.get(answer.item_id, '?')}: {answer.number}")
        elif answer.option_id is not None:
            label = options.get(answer.option_id, "?")
            if answer.number is not None:
                label = f"{answer.number}. {label}"
            texts.append(f"{label} ({answer.text})" if answer.text else label)
        elif answer.number is not None:
            texts.append(str(answer.number))
        elif answer.date is not None:
            texts.append(answer.date.strftime("%d.%m.%Y"))
        elif answer.text:
            texts.append(answer.text)
    return texts


# The largest id a bigint column holds: a longer number is no id, whatever it looks like.
MAX_ID = 2**63 - 1


def _answer_pk(value: str | None) -> int | None:
    """An id as the form sends it (ASCII digits only), else None."""
    if not value or len(value) > 19 or not (value.isascii() and value.isdigit()):
        return None
    pk = int(value)
    return pk if 0 < pk <= MAX_ID else None


class ScanReviewView(SurveyStaffMixin, View):
    """The next uncertain answer of the survey's scanned sheets (or ``?antwort=<id>``)."""

    permission_required = PERMISSION

    def dispatch_survey(self, request, *args, **kwargs):
        self.definition = selectors.survey_definition(survey=self.survey)
        self.questions = self.definition.question_by_id()
        return super().dispatch_survey(request, *args, **kwargs)

    def _waiting(self):
        return scan_answers_to_review(survey=self.survey)

    def _answer(self, answer_id: str) -> ScanAnswer | None:
        """The waiting answer ``answer_id`` of this survey; None for any other id (another
        survey's, one dealt with, a tampered value)."""
        pk = _answer_pk(answer_id)
        return None if pk is None else self._waiting().filter(pk=pk).first()

    def _gone_message(self, answer_id: str) -> str:
        """Why ``answer_id`` cannot be reviewed here, without telling whether another
        survey has an answer of that number."""
        pk = _answer_pk(answer_id)
        if pk is not None and ScanAnswer.objects.filter(pk=pk, sheet__survey=self.survey).exists():
            return _("This answer has been dealt with already.")
        return _("This answer does not belong to the scans of this survey.")

    def _form(self, answer: ScanAnswer, data=None) -> SectionForm:
        question = self.questions[answer.question_id]
        if data is None:
            proposed = [AnswerInput.from_json(row) for row in answer.proposed]
            data = answers_form_data(
                questions=[question],
                answers={question.pk: proposed},
                prefix=lambda _question: FORM_PREFIX,
            )
        return SectionForm(data, questions=[question], as_written=True, prefix=FORM_PREFIX)

    def _render(self, answer: ScanAnswer | None, form=None, status=200):
        context = {"survey": self.survey, "answer": answer, "remaining": self._waiting().count()}
        if answer is not None:
            question = self.questions[answer.question_id]
            proposed = [AnswerInput.from_json(row) for row in answer.proposed]
            form = form or self._form(answer)
            context.update(
                question=question,
                form=form,
                errors=form.error_summary() if form.is_bound and form.errors else [],
                proposed=answer_texts(question, proposed),
                text_crops=list(answer.text_crops.all()),
                sheet_left=answer.sheet.answers.filter(confirmed__isnull=True).count(),
            )
        return render(self.request, "survey/survey_scan_review.html", context, status=status)

    def get(self, request, slug):
        wanted = request.GET.get("antwort", "")
        if not wanted:
            return self._render(self._waiting().first())
        answer = self._answer(wanted)
        if answer is None:
            messages.info(request, self._gone_message(wanted))
            return redirect("survey:scan_review", slug=slug)
        return self._render(answer)

    def post(self, request, slug):
        # Only the answer named in the form is confirmed: a request without one (or with
        # another survey's) never takes "the next one" with data meant for something else.
        wanted = request.POST.get("answer", "")
        answer = self._answer(wanted)
        if answer is None:
            messages.warning(request, self._gone_message(wanted))
            return redirect("survey:scan_review", slug=slug)
        form = self._form(answer, request.POST)
        if not form.is_valid():
            return self._render(answer, form)
        try:
            sheet = scan_answer_confirm(
                answer=answer, answers=form.answer_inputs(), user=request.user
            )
        except ScanReviewError as error:
            messages.error(request, error.message)
            return redirect("survey:scan_review", slug=slug)
        if sheet.state == ScannedSheetState.STORED:
            messages.success(
                request, _("Sheet %(number)s stored.") % {"number": sheet.sheet_number}
            )
        elif sheet.state == ScannedSheetState.DUPLICATE:
            messages.warning(
                request,
                _("Sheet %(number)s had been entered already; the scan was not stored again.")
                % {"number": sheet.sheet_number},
            )
        else:
            messages.success(request, _("Answer confirmed."))
        return redirect("survey:scan_review", slug=slug)


def _crop_response(user, survey_slug: str, name: str, survey_id: int):
    """The PNG to a permitted staff member; a 404 to everybody else, anonymous visitors
    included, so that nobody learns which cut-outs exist."""
    survey = (
        surveys_for_staff(user, Survey.objects.filter(slug=survey_slug)).first()
        if (user.is_authenticated)
        else None
    )
    if (
        survey is None
        or survey.pk != survey_id
        or not name
        or not staff_has_perm(user, PERMISSION, survey=survey)
    ):
        raise Http404
    try:
        handle = private_storage.open(name, "rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(handle, content_type="image/png")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def scan_crop(request, slug, answer_id):
    answer = ScanAnswer.objects.filter(pk=answer_id).select_related("sheet").first()
    if answer is None:
        raise Http404
    return _crop_response(request.user, slug, answer.crop.name, answer.sheet.survey_id)


def scan_text_crop(request, slug, crop_id):
    crop = ScanTextCrop.objects.filter(pk=crop_id).select_related("answer__sheet").first()
    if crop is None:
        raise Http404
    return _crop_response(request.user, slug, crop.image.name, crop.answer.sheet.survey_id)
