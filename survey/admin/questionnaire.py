"""The questionnaire builder below the survey: pages (Section) with their questions, and
questions with their options and matrix items, all edited on one form each.

- The question form shows the fields of its kind (``kind_parts``); options and matrix rows
  are inlines of the same form, their codes and positions filled in the order shown
  (``AutoNumberedFormSet``); ``static/js/admin-sortable-inlines.js`` reorders them by drag
  and drop or keyboard and hides what does not fit the chosen kind.
- Pickers list only what fits: the condition pickers the choice questions on earlier pages
  of the same survey and their options (``limit_condition_fields``).
- Once a survey has responses only the wording can be corrected (``WORDING``); every other
  field is read-only, nothing can be added or deleted, and the audit log keeps each
  correction. Structural changes need a duplicate of the survey.
"""

from django import forms
from django.contrib import admin, messages
from django.db.models import Max, Q
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from survey import selectors
from survey.admin import conditions
from survey.kinds import KINDS, kind_of, kind_values
from survey.models import LabelSet, LabelSetItem, MatrixItem, Option, Question, Section, Survey
from survey.permissions import SurveyScopedAdminMixin
from survey.results.caching import survey_results_invalidate
from survey.studio import label_set_apply

FROZEN = _(
    "This survey already has responses. Wording (question text, help text, option labels, "
    "page titles) can still be corrected; every correction is kept in the history. Kinds, "
    "options, pages, positions and conditions can no longer be changed, so that stored "
    "answers keep their meaning: duplicate the survey (action “Duplicate the selected "
    "surveys”) and change the copy instead."
)
FROZEN_ADD = _(
    "This survey already has responses, so nothing can be added to its questionnaire. "
    "Duplicate the survey and change the copy instead."
)

# The fields that may still be corrected once a survey has responses, per model.
WORDING = {
    Section: ("title", "description"),
    Question: ("text", "help_text", "scale_min_label", "scale_max_label", "breakdown_label"),
    Option: ("label",),
    MatrixItem: ("label",),
}
# Question fields that only some kinds use: fieldset name → test on the kind.
KIND_PARTS = {
    "choices": lambda spec: spec.has_options and spec.several_answers,
    "scale": lambda spec: spec.uses_scale,
    "number": lambda spec: spec.is_numeric and not spec.uses_scale,
    "breakdown": lambda spec: spec.can_break_down,
    "options": lambda spec: spec.has_options,
    "answer_list": lambda spec: spec.has_options or spec.has_items,
    "items": lambda spec: spec.has_items,
}
KIND_FIELDS = {
    "choices": ("max_choices",),
    "scale": ("scale_min", "scale_max", "scale_min_label", "scale_max_label"),
    "number": ("number_min", "number_max"),
    "breakdown": ("is_breakdown", "breakdown_label"),
}


def kind_parts(kind: str) -> set[str]:
    """The kind-specific parts (fieldsets, inlines) of the question form for ``kind``."""
    spec = KINDS.get(kind)
    if spec is None:
        return set(KIND_PARTS)
    return {name for name, fits in KIND_PARTS.items() if fits(spec)}


def kinds_with(part: str) -> str:
    """The kind values using ``part``, space-separated (for the form's script)."""
    return " ".join(value for value in KINDS if part in kind_parts(value))


def is_frozen(survey) -> bool:
    return selectors.survey_has_responses(survey=survey)


def survey_of(obj):
    if obj is None:
        return None
    if isinstance(obj, Survey):
        return obj
    if isinstance(obj, Section | Question):
        return obj.survey
    return obj.question.survey


def frozen_readonly(model, form_fields) -> list[str]:
    """Every field of the form but the wording of ``model``."""
    return [name for name in form_fields if name not in WORDING.get(model, ())]


class FrozenQuestionnaireMixin:
    """Once the survey of the object (or of the parent of an inline) has responses: only
    the wording stays editable, nothing can be deleted."""

    survey_of = staticmethod(survey_of)

    def _frozen_cache(self, request, survey):
        # The permission checks ask several times per page; one query per survey and request.
        if survey is None:
            return False
        cache = request.__dict__.setdefault("_survey_frozen", {})
        if survey.pk not in cache:
            cache[survey.pk] = is_frozen(survey)
        return cache[survey.pk]

    def is_frozen_for(self, request, obj) -> bool:
        return self._frozen_cache(request, self.survey_of(obj))

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not self.is_frozen_for(request, obj):
            return readonly
        # The form's own list: asking get_fields here would ask this method again.
        names = self.fields or self.form._meta.fields or []
        flat = []
        for name in names:
            flat.extend(name if isinstance(name, tuple | list) else [name])
        return readonly + [
            name for name in frozen_readonly(self.model, flat) if name not in readonly
        ]

    def has_delete_permission(self, request, obj=None):
        if self.is_frozen_for(request, obj):
            return False
        return super().has_delete_permission(request, obj)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        frozen = obj is not None and self.is_frozen_for(request, obj)
        context["frozen_note"] = FROZEN if frozen else ""
        if frozen:
            context["show_save_and_add_another"] = False  # nothing can be added
        return super().render_change_form(request, context, add, change, form_url, obj)


class FrozenInlineMixin(FrozenQuestionnaireMixin):
    def has_add_permission(self, request, obj=None):
        if self.is_frozen_for(request, obj):
            return False
        return super().has_add_permission(request, obj)


class AutoNumberedFormSet(forms.BaseInlineFormSet):
    """Inline rows keep the order shown (or the position typed, without JavaScript): their
    positions become 1, 2, 3 …; an option without a code gets the next free one. Codes
    that exist stay as they are, so exports keep their meaning when rows are reordered."""

    code_field = None  # "value" for options
    is_frozen = False  # set by the inline for the survey at hand

    def clean(self):
        rows = [
            form
            for form in self.forms
            if form.has_changed() or form.instance.pk
            if not (self.can_delete and self._should_delete_form(form))
            if hasattr(form, "cleaned_data") and form.cleaned_data
        ]
        if not self.is_frozen:
            self._number(rows)
        super().clean()

    def _number(self, rows):
        def order(pair):
            index, form = pair
            position = form.cleaned_data.get("position")
            return (position if position is not None else 10**6, index)

        ordered = [form for _index, form in sorted(enumerate(rows), key=order)]
        for number, form in enumerate(ordered, start=1):
            if form.initial.get("position") != number and "position" not in form.changed_data:
                form.changed_data.append("position")  # saved even if nothing else changed
            form.cleaned_data["position"] = number
            form.instance.position = number
        if self.code_field:
            taken = {form.cleaned_data.get(self.code_field) for form in ordered} - {None}
            following = max(taken, default=0) + 1
            for form in ordered:
                if form.cleaned_data.get(self.code_field) is None:
                    form.cleaned_data[self.code_field] = following
                    setattr(form.instance, self.code_field, following)
                    following += 1


class OptionFormSet(AutoNumberedFormSet):
    code_field = "value"


class SortableInlineForm(forms.ModelForm):
    """Position (and an option's code) may be left empty: the formset fills them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("position", "value"):
            if name in self.fields:
                self.fields[name].required = False
        if self.instance.pk is None:
            # Empty rows stay empty (and unchanged) until staff type into them; a row typed
            # without a position goes last.
            for name in ("position", "value"):
                if name in self.fields:
                    self.fields[name].initial = None
                    self.initial.pop(name, None)
        if "position" in self.fields:
            self.fields["position"].widget.attrs.update(
                {"class": "sortable-position", "min": 0, "max": 32767}
            )
        if "value" in self.fields:
            self.fields["value"].widget.attrs.update({"min": -(10**6), "max": 10**6})
            self.fields["value"].help_text = _("Empty: the next free number.")


class BuilderMedia:
    js = ["js/admin-sortable-inlines.js"]
    css = {"all": ["css/admin-builder.css"]}


class SortableInlineMixin:
    """Tabular inline rows that staff reorder (the script finds their position fields);
    extra empty rows so a new question gets its options without JavaScript."""

    form = SortableInlineForm
    extra_on_add = 6

    def get_extra(self, request, obj=None, **kwargs):
        return self.extra_on_add if obj is None else 2

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.is_frozen = self.is_frozen_for(request, obj)
        return formset


def _earlier(section):
    """Questions on pages before ``section`` (the order ``validate_condition`` checks)."""
    return Q(section__position__lt=section.position) | Q(
        section__position=section.position, section_id__lt=section.pk or 0
    )


class ConditionOptionField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.question.code} · {obj.label}"


class ConditionQuestionField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code}: {obj.text}"


def limit_condition_fields(form, section) -> None:
    """The condition pickers of a page or question on ``section``: choice questions on
    earlier pages of the same survey, and their options. Without a page: nothing (the page
    is chosen first)."""
    if "condition_question" not in form.fields:
        return
    questions = Question.objects.none()
    if section is not None:
        questions = Question.objects.filter(
            _earlier(section),
            survey_id=section.survey_id,
            kind__in=kind_values("has_options"),
        ).order_by("section__position", "position", "id")
    old = form.fields["condition_question"]
    form.fields["condition_question"] = ConditionQuestionField(
        queryset=questions,
        required=False,
        label=old.label,
        help_text=_(
            "Choice questions on earlier pages of this survey; choose the page first and save."
        ),
    )
    if "condition_options" in form.fields:
        old = form.fields["condition_options"]
        form.fields["condition_options"] = ConditionOptionField(
            queryset=Option.objects.filter(question__in=questions)
            .select_related("question")
            .order_by("question__section__position", "question__position", "position", "id"),
            required=False,
            label=old.label,
            widget=forms.CheckboxSelectMultiple,
        )


def validate_condition(*, survey, position, pk, condition_question, condition_options):
    """A display condition refers to a choice question on an earlier page of the same
    survey and to options of that question."""
    if condition_question is None:
        if condition_options:
            raise forms.ValidationError(_("Choose the question the options belong to."))
        return
    if condition_question.survey_id != survey.pk:
        raise forms.ValidationError(_("The condition must refer to a question of this survey."))
    if not kind_of(condition_question).has_options:
        raise forms.ValidationError(_("Conditions can only refer to choice questions."))
    source = condition_question.section
    if (source.position, source.pk) >= (position, pk or 10**12) or source.pk == pk:
        raise forms.ValidationError(_("The condition must refer to a question on an earlier page."))
    if not condition_options:
        raise forms.ValidationError(_("Choose at least one option of the condition question."))
    if any(option.question_id != condition_question.pk for option in condition_options):
        raise forms.ValidationError(_("The options must belong to the condition question."))


def _pk_or_none(value):
    value = str(value or "")
    return int(value) if value.isdigit() and len(value) < 12 else None


class SectionAdminForm(forms.ModelForm):
    class Meta:
        model = Section
        fields = [
            "survey",
            "title",
            "description",
            "position",
            "condition_question",
            "condition_options",
            "condition_mode",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "position" in self.fields:
            self.fields["position"].required = False
        limit_condition_fields(self, self.instance if self.instance.pk else None)

    def clean(self):
        cleaned = super().clean()
        survey = cleaned.get("survey") or getattr(self.instance, "survey", None)
        if survey is None:
            return cleaned
        if is_frozen(survey):
            if self.instance.pk is None:
                raise forms.ValidationError(FROZEN_ADD)
            return cleaned  # only the wording is on the form
        if "position" in self.fields and cleaned.get("position") is None:
            last = survey.sections.exclude(pk=self.instance.pk).aggregate(Max("position"))
            cleaned["position"] = (last["position__max"] or 0) + 1
            self.instance.position = cleaned["position"]
        validate_condition(
            survey=survey,
            position=cleaned.get("position") or 0,
            pk=self.instance.pk,
            condition_question=cleaned.get("condition_question"),
            condition_options=list(cleaned.get("condition_options") or []),
        )
        return cleaned


class QuestionInline(FrozenInlineMixin, SortableInlineMixin, admin.TabularInline):
    model = Question
    formset = AutoNumberedFormSet
    fields = ["position", "code", "kind", "text", "required"]
    extra = 0
    extra_on_add = 0
    show_change_link = True
    ordering = ["position", "id"]

    def get_extra(self, request, obj=None, **kwargs):
        return 0


@admin.register(Section)
class SectionAdmin(SurveyScopedAdminMixin, FrozenQuestionnaireMixin, admin.ModelAdmin):
    form = SectionAdminForm
    list_display = ["title", "survey", "position"]
    list_filter = ["survey"]
    search_fields = ["title"]
    list_select_related = ["survey"]
    inlines = [QuestionInline, conditions.SectionConditionInline]
    Media = BuilderMedia

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        survey = _pk_or_none(request.GET.get("survey"))
        if survey:
            initial["survey"] = survey
        return initial

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        survey_results_invalidate(form.instance.survey_id)

    def response_post_save_change(self, request, obj):
        return HttpResponseRedirect(reverse("admin:survey_survey_change", args=[obj.survey_id]))

    response_post_save_add = response_post_save_change


class OptionInline(FrozenInlineMixin, SortableInlineMixin, admin.TabularInline):
    model = Option
    formset = OptionFormSet
    fields = ["position", "label", "value", "is_other", "municipality"]
    ordering = ["position", "id"]


class MatrixItemInline(FrozenInlineMixin, SortableInlineMixin, admin.TabularInline):
    model = MatrixItem
    formset = AutoNumberedFormSet
    fields = ["position", "label"]
    ordering = ["position", "id"]


class SectionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.survey.title} · {obj.title}"


class QuestionAdminForm(forms.ModelForm):
    label_set = forms.ModelChoiceField(
        label=_("Take over an answer list"),
        queryset=LabelSet.objects.all(),
        required=False,
        help_text=_(
            "Adds the entries of the list as options (for a matrix: as rows) after the ones "
            "typed below, with their codes, when the question is saved."
        ),
    )

    class Meta:
        model = Question
        fields = [
            "section",
            "position",
            "code",
            "kind",
            "text",
            "help_text",
            "required",
            "max_choices",
            "scale_min",
            "scale_max",
            "scale_min_label",
            "scale_max_label",
            "number_min",
            "number_max",
            "is_breakdown",
            "breakdown_label",
            "topics",
            "condition_question",
            "condition_options",
            "condition_mode",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("position", "code"):
            if name in self.fields:
                self.fields[name].required = False
        if self.instance.pk is None and "position" in self.fields:
            self.fields["position"].initial = None  # empty: after the page's last question
        if "topics" in self.fields:
            self.fields["topics"].widget = forms.CheckboxSelectMultiple(
                choices=self.fields["topics"].choices
            )
            self.fields["topics"].help_text = ""
        if "code" in self.fields:
            self.fields["code"].help_text = _(
                "Short identifier such as Q1, used as the column name in exports; "
                "empty: the next free one (F1, F2 …)."
            )
        section = self._section()
        self._limit_sections(section)
        if "kind" in self.fields:
            self.fields["kind"].widget.attrs.update(
                {f"data-kind-{part}": kinds_with(part) for part in KIND_PARTS}
                | {"class": "question-kind"}
            )
        limit_condition_fields(self, section)

    def _section(self):
        """The page of the question: as posted, as given in the address, or as saved."""
        if self.instance.pk:
            return self.instance.section
        pk = _pk_or_none(self.data.get("section") if self.is_bound else self.initial.get("section"))
        return Section.objects.select_related("survey").filter(pk=pk).first() if pk else None

    def _limit_sections(self, section):
        if "section" not in self.fields:
            return
        sections = Section.objects.select_related("survey").order_by(
            "survey__title", "survey_id", "position", "id"
        )
        if section is not None:
            sections = sections.filter(survey_id=section.survey_id)
        old = self.fields["section"]
        self.fields["section"] = SectionChoiceField(
            queryset=sections, label=old.label, help_text=old.help_text
        )

    def clean(self):
        cleaned = super().clean()
        section = cleaned.get("section") or getattr(self.instance, "section", None)
        if section is None:
            return cleaned
        if is_frozen(section.survey):
            if self.instance.pk is None:
                raise forms.ValidationError(FROZEN_ADD)
            return cleaned  # only the wording is on the form
        self._clear_other_kinds(cleaned)
        self._fill_position_and_code(cleaned, section)
        code = cleaned.get("code")
        clash = Question.objects.filter(survey=section.survey, code=code).exclude(
            pk=self.instance.pk
        )
        if code and clash.exists():
            self.add_error("code", _("Another question of this survey has this code."))
        validate_condition(
            survey=section.survey,
            position=section.position,
            pk=section.pk,
            condition_question=cleaned.get("condition_question"),
            condition_options=list(cleaned.get("condition_options") or []),
        )
        return cleaned

    def _clear_other_kinds(self, cleaned):
        """Fields of parts the chosen kind does not use go back to their defaults, whatever
        was posted (they were hidden or not shown at all)."""
        parts = kind_parts(cleaned.get("kind") or "")
        for part, names in KIND_FIELDS.items():
            if part in parts:
                continue
            for name in names:
                if name in self.fields:
                    default = Question._meta.get_field(name).get_default()
                    cleaned[name] = default
                    setattr(self.instance, name, default)

    def _fill_position_and_code(self, cleaned, section):
        if "position" in self.fields and cleaned.get("position") is None:
            last = section.questions.exclude(pk=self.instance.pk).aggregate(Max("position"))
            cleaned["position"] = (last["position__max"] or 0) + 1
            self.instance.position = cleaned["position"]
        if "code" in self.fields and not cleaned.get("code"):
            codes = set(
                Question.objects.filter(survey=section.survey).values_list("code", flat=True)
            )
            number = len(codes) + 1
            while f"F{number}" in codes:
                number += 1
            cleaned["code"] = f"F{number}"
            self.instance.code = cleaned["code"]


@admin.register(Question)
class QuestionAdmin(SurveyScopedAdminMixin, FrozenQuestionnaireMixin, admin.ModelAdmin):
    form = QuestionAdminForm
    change_form_template = "admin/survey/question/change_form.html"
    list_display = ["code", "text", "kind", "required", "is_breakdown", "section", "survey"]
    list_filter = ["survey", "kind", "is_breakdown"]
    search_fields = ["code", "text"]
    list_select_related = ["survey", "section"]
    inlines = [OptionInline, MatrixItemInline, conditions.QuestionConditionInline]
    Media = BuilderMedia
    base_fieldsets = [
        (
            None,
            {"fields": ["section", "kind", "text", "help_text", "required", ("code", "position")]},
        ),
        ("choices", _("Choices"), ["max_choices"]),
        (
            "scale",
            _("Scale and matrix"),
            [("scale_min", "scale_max"), ("scale_min_label", "scale_max_label")],
        ),
        ("number", _("Number"), [("number_min", "number_max")]),
        ("answer_list", _("Answer list"), ["label_set"]),
        ("breakdown", _("Breakdown"), ["is_breakdown", "breakdown_label"]),
        (None, _("Results"), ["topics"]),
        (
            None,
            _("Display condition"),
            ["condition_question", "condition_options", "condition_mode"],
        ),
    ]

    def get_fieldsets(self, request, obj=None):
        """On a saved question only the parts of its kind; on a new one all of them, each
        marked with the kinds it belongs to (the script hides the others)."""
        fieldsets = [self.base_fieldsets[0]]
        shown = kind_parts(obj.kind) if obj is not None else set(KIND_PARTS)
        if self.is_frozen_for(request, obj):
            shown.discard("answer_list")
        for part, title, fields in self.base_fieldsets[1:]:
            if part is None:
                fieldsets.append((title, {"fields": fields}))
            elif part in shown:
                classes = ["kind-part", f"kind-part-{part}"]
                fieldsets.append((title, {"fields": fields, "classes": classes}))
        return fieldsets

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        if obj is None:
            return inlines
        parts = kind_parts(obj.kind)
        wanted = {Option: "options", MatrixItem: "items"}
        # Inlines of a kind's part only with that kind; the others (conditions) always.
        return [
            inline
            for inline in inlines
            if inline.model not in wanted or wanted[inline.model] in parts
        ]

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        section = _pk_or_none(request.GET.get("section"))
        if section:
            initial["section"] = section
        return initial

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        survey = survey_of(obj)
        if survey is None:
            form = context.get("adminform").form
            section = form._section() if hasattr(form, "_section") else None
            survey = section.survey if section else None
        context["builder_survey"] = survey
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        label_set = form.cleaned_data.get("label_set")
        if label_set is not None and not self.is_frozen_for(request, form.instance):
            added = label_set_apply(question=form.instance, label_set=label_set)
            if added:
                self.message_user(
                    request,
                    _("%(count)d entries of “%(name)s” taken over.")
                    % {"count": added, "name": label_set.name},
                    messages.SUCCESS,
                )
        survey_results_invalidate(form.instance.survey_id)

    def response_add(self, request, obj, post_url_continue=None):
        if "_addanother" in request.POST:
            self.message_user(
                request,
                _("Question %(code)s saved. Next question on the same page:") % {"code": obj.code},
                messages.SUCCESS,
            )
            url = reverse("admin:survey_question_add") + f"?section={obj.section_id}"
            return HttpResponseRedirect(url)
        return super().response_add(request, obj, post_url_continue)

    def response_post_save_add(self, request, obj):
        return HttpResponseRedirect(reverse("admin:survey_survey_change", args=[obj.survey_id]))

    response_post_save_change = response_post_save_add


class LabelSetItemInline(SortableInlineMixin, admin.TabularInline):
    model = LabelSetItem
    formset = OptionFormSet
    fields = ["position", "label", "value"]
    ordering = ["position", "id"]
    is_frozen_for = staticmethod(lambda request, obj: False)


@admin.register(LabelSet)
class LabelSetAdmin(admin.ModelAdmin):
    """Answer lists a question can start from (agreement scale, the municipalities …)."""

    list_display = ["name", "description"]
    search_fields = ["name"]
    inlines = [LabelSetItemInline]
    Media = BuilderMedia
