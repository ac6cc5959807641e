"""Import of a LimeSurvey survey structure (.lss, the XML LimeSurvey exports) as a draft.

Question groups become pages, the question types that have a kind here become questions
(with their answer options and codes, subquestions as matrix rows or as the options of a
multiple choice), and simple relevance equations (``((Q1.NAOK == "A2"))``, several values
joined with ``or``) become display conditions. Everything that cannot be carried over is
listed in German for staff (``LssImport.problems``); nothing is dropped silently.

Both layouts of the file are read: LimeSurvey 3 keeps the texts in the rows of ``groups``,
``questions`` and ``answers``; LimeSurvey 5 and later in ``group_l10ns``, ``question_l10ns``
and ``answer_l10ns``. Only the survey's base language is imported.

The XML is parsed with ``defusedxml`` (no DTD, so no entity expansion and no external
entities) and the file may hold at most ``MAX_BYTES``.
"""

from __future__ import annotations

import datetime
import html
import re
from dataclasses import dataclass, field

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeElementTree
from django.db import transaction
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import slugify
from django.utils.translation import gettext as _

from survey.kinds import kind_of
from survey.models import MatrixItem, Option, Question, QuestionKind, Section, Survey, SurveyStatus

MAX_BYTES = 5 * 1024 * 1024
MAX_QUESTIONS = 1000
CODE_MAX = 20
TEXT_MAX = 500
LABEL_MAX = 300
SCALE_SPAN = 20

# LimeSurvey type → the kind values it maps to, first one that exists wins. The entries for
# date, yes/no, ranking and text display come into effect once those kinds exist.
LSS_TYPES: dict[str, tuple[str, ...]] = {
    "L": ("single",),
    "!": ("dropdown",),
    "M": ("multiple",),
    "F": ("matrix",),
    "A": ("matrix",),
    "5": ("scale",),
    "N": ("number",),
    "S": ("short_text",),
    "T": ("long_text",),
    "U": ("long_text",),
    "D": ("date",),
    "Y": ("yes_no", "yesno"),
    "R": ("ranking",),
    "X": ("info", "info_block"),
}


def lss_type_names() -> dict[str, str]:
    return {
        "L": _("list (radio)"),
        "!": _("list (dropdown)"),
        "M": _("multiple choice"),
        "F": _("array"),
        "A": _("array (5 point choice)"),
        "5": _("5 point choice"),
        "N": _("numerical input"),
        "S": _("short free text"),
        "T": _("long free text"),
        "U": _("huge free text"),
        "D": _("date"),
        "Y": _("yes/no"),
        "R": _("ranking"),
        "X": _("text display"),
        "K": _("multiple numerical input"),
        "Q": _("multiple short text"),
        "P": _("multiple choice with comments"),
        "O": _("list with comment"),
        "1": _("array dual scale"),
        ";": _("array (texts)"),
        ":": _("array (numbers)"),
        "|": _("file upload"),
        "*": _("equation"),
    }


def kind_for(lss_type: str) -> str | None:
    """The kind value a LimeSurvey question type becomes here, or None."""
    existing = set(QuestionKind.values)
    return next((value for value in LSS_TYPES.get(lss_type, ()) if value in existing), None)


class LssError(ValueError):
    """The file cannot be imported; the message says why, in German."""


# --- Reading the XML -------------------------------------------------------------------------


def _table(root, name: str) -> list[dict[str, str]]:
    rows = root.find(f"{name}/rows")
    if rows is None:
        return []
    return [{child.tag: (child.text or "").strip() for child in row} for row in rows]


def _in_language(rows: list[dict], language: str) -> list[dict]:
    return [row for row in rows if row.get("language", language) in (language, "")]


def _l10n(root, name: str, key: str, language: str) -> dict[str, dict]:
    return {row.get(key, ""): row for row in _in_language(_table(root, name), language)}


def _merge(rows: list[dict], texts: dict[str, dict], key: str) -> list[dict]:
    """LimeSurvey 5+: add the texts of each row from its l10n table."""
    return [{**texts.get(row.get(key, ""), {}), **row} for row in rows]


@dataclass
class LssStructure:
    title: str
    description: str
    groups: list[dict]
    questions: list[dict]
    subquestions: dict[str, list[dict]]
    answers: dict[str, list[dict]]
    attributes: dict[str, dict[str, str]]


def _root(data: bytes):
    if len(data) > MAX_BYTES:
        raise LssError(_("The file is larger than %(size)s MB.") % {"size": MAX_BYTES // 2**20})
    try:
        root = SafeElementTree.fromstring(data, forbid_dtd=True)
    except (DefusedXmlException, SafeElementTree.ParseError, ValueError) as error:
        raise LssError(_("The file is not a LimeSurvey survey structure (.lss).")) from error
    if root.tag != "document" or root.findtext("LimeSurveyDocType", "").strip() != "Survey":
        raise LssError(_("The file is not a LimeSurvey survey structure (.lss)."))
    return root


def _language(root) -> str:
    language = root.findtext("languages/language", "").strip()
    surveys = _table(root, "surveys")
    return language or (surveys[0].get("language", "") if surveys else "")


def _sorted(rows: list[dict], key: str) -> list[dict]:
    return sorted(rows, key=lambda row: (_int(row.get(key)) or 0, _int(row.get("qid")) or 0))


def _grouped(rows: list[dict], key: str, order: str) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for row in _sorted(rows, order):
        grouped.setdefault(row.get(key, ""), []).append(row)
    return grouped


def parse_lss(data: bytes) -> LssStructure:
    """Read the parts of a .lss file that the import uses (base language only)."""
    root = _root(data)
    language = _language(root)
    groups = _merge(
        _in_language(_table(root, "groups"), language),
        _l10n(root, "group_l10ns", "gid", language),
        "gid",
    )
    question_texts = _l10n(root, "question_l10ns", "qid", language)
    questions = _merge(_in_language(_table(root, "questions"), language), question_texts, "qid")
    subquestions = _merge(
        _in_language(_table(root, "subquestions"), language), question_texts, "qid"
    )
    answers = _merge(
        _in_language(_table(root, "answers"), language),
        _l10n(root, "answer_l10ns", "aid", language),
        "aid",
    )
    attributes: dict[str, dict[str, str]] = {}
    for row in _table(root, "question_attributes"):
        attributes.setdefault(row.get("qid", ""), {})[row.get("attribute", "")] = row.get(
            "value", ""
        )
    settings = _in_language(_table(root, "surveys_languagesettings"), language)
    settings = [
        {**row, "language": row.get("surveyls_language", language)} for row in settings
    ] or [{}]
    return LssStructure(
        title=_plain(settings[0].get("surveyls_title", "")),
        description=_plain(settings[0].get("surveyls_description", "")),
        groups=_sorted(groups, "group_order"),
        questions=[
            q for q in _sorted(questions, "question_order") if q.get("parent_qid", "0") in ("", "0")
        ],
        subquestions=_grouped(
            subquestions + [q for q in questions if q.get("parent_qid", "0") not in ("", "0")],
            "parent_qid",
            "question_order",
        ),
        answers=_grouped(answers, "qid", "sortorder"),
        attributes=attributes,
    )


def _plain(text: str) -> str:
    """Text without HTML tags and entities, whitespace collapsed."""
    return " ".join(html.unescape(strip_tags(text or "")).split())


def _int(value) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


# --- Conditions ------------------------------------------------------------------------------

ALWAYS = "always"
_TERM = re.compile(
    r"""^\(*\s*([A-Za-z][A-Za-z0-9_]*)(?:\.NAOK)?\s*==\s*(?:"([^"]*)"|'([^']*)'|(-?\d+))\s*\)*$"""
)
_JOIN = re.compile(r"\s+(?:or|OR|\|\|)\s+")


def _strip_outer(expression: str) -> str:
    """Remove parentheses around the whole expression (only when they enclose all of it)."""
    while expression.startswith("(") and expression.endswith(")"):
        depth = 0
        for index, char in enumerate(expression):
            depth += {"(": 1, ")": -1}.get(char, 0)
            if depth == 0 and index < len(expression) - 1:
                return expression
        expression = expression[1:-1].strip()
    return expression


def parse_relevance(expression: str):
    """``ALWAYS``, the ``[(code, value), …]`` of a simple condition ("code == value" joined
    with "or"), else None."""
    expression = " ".join((expression or "").split())
    if expression in ("", "1"):
        return ALWAYS
    terms = _JOIN.split(_strip_outer(expression))
    matches = [_TERM.match(term.strip()) for term in terms]
    if not all(matches):
        return None
    return [
        (match.group(1), next(g for g in match.groups()[1:] if g is not None)) for match in matches
    ]


# --- Building the draft ----------------------------------------------------------------------


@dataclass
class _Imported:
    """A question created here, for conditions: its page number and options by code."""

    question: Question
    page: int
    options: dict[str, Option] = field(default_factory=dict)


@dataclass
class LssImport:
    survey: Survey
    problems: list[str] = field(default_factory=list)
    questions: int = 0


class _Builder:
    def __init__(self, structure: LssStructure, title: str):
        self.structure = structure
        self.title = title
        self.problems: list[str] = []
        self.codes: set[str] = set()
        self.imported: dict[str, _Imported] = {}
        self.conditional: list[tuple[Section | Question, str, str, int]] = []
        self.names = lss_type_names()

    def note(self, message: str, **values) -> None:
        self.problems.append(message % values if values else message)

    def survey(self) -> Survey:
        now = timezone.now()
        title = (self.title or self.structure.title or _("Imported survey"))[:200]
        base = slugify(title)[:90] or "befragung"
        slug, number = base, 1
        while Survey.objects.filter(slug=slug).exists():
            number += 1
            slug = f"{base}-{number}"
        return Survey.objects.create(
            title=title,
            slug=slug,
            intro=self.structure.description,
            status=SurveyStatus.DRAFT,
            opens_at=now + datetime.timedelta(days=30),
            closes_at=now + datetime.timedelta(days=58),
        )

    def build(self) -> LssImport:
        if len(self.structure.questions) > MAX_QUESTIONS:
            raise LssError(
                _("The file has more than %(count)s questions.") % {"count": MAX_QUESTIONS}
            )
        survey = self.survey()
        self.note(_("The survey was created as a draft; please set its dates before opening."))
        by_group: dict[str, list[dict]] = {}
        for row in self.structure.questions:
            by_group.setdefault(row.get("gid", ""), []).append(row)
        for page, group in enumerate(self.structure.groups, start=1):
            section = Section.objects.create(
                survey=survey,
                title=_plain(group.get("group_name", ""))[:200] or _("Page %(n)s") % {"n": page},
                description=_plain(group.get("description", "")),
                position=page,
            )
            self.remember_condition(section, group.get("grelevance", ""), section.title, page)
            for position, row in enumerate(by_group.pop(group.get("gid", ""), []), start=1):
                self.question(section, page, position, row)
        for rows in by_group.values():
            for row in rows:
                self.note(_("%(code)s: its question group is missing."), code=row.get("title", ""))
        self.apply_conditions()
        return LssImport(survey=survey, problems=self.problems, questions=len(self.imported))

    def unique_code(self, title: str) -> str:
        code = re.sub(r"[^A-Za-z0-9_]", "", title)[:CODE_MAX] or "F"
        base, number = code, 1
        while code.lower() in self.codes:
            number += 1
            code = f"{base[: CODE_MAX - len(str(number)) - 1]}_{number}"
        if code != title:
            self.note(_("%(old)s: imported with the code %(new)s."), old=title, new=code)
        self.codes.add(code.lower())
        return code

    def question(self, section: Section, page: int, position: int, row: dict) -> None:
        lss_type, title = row.get("type", ""), row.get("title", "")
        kind = kind_for(lss_type)
        if kind is None:
            name = self.names.get(lss_type, lss_type)
            self.note(
                _("%(code)s: the question type “%(type)s” is not available; not imported."),
                code=title,
                type=name,
            )
            return
        text = _plain(row.get("question", ""))
        if len(text) > TEXT_MAX:
            self.note(
                _("%(code)s: the question text was shortened to %(max)s characters."),
                code=title,
                max=TEXT_MAX,
            )
        question = Question(
            section=section,
            position=position,
            code=self.unique_code(title),
            kind=kind,
            text=text[:TEXT_MAX] or title,
            help_text=_plain(row.get("help", ""))[:500],
            required=row.get("mandatory", "") == "Y" and kind_of(kind).has_answers,
        )
        attributes = self.structure.attributes.get(row.get("qid", ""), {})
        self.settings(question, lss_type, row, attributes)
        question.save()
        imported = _Imported(question, page)
        self.imported[title] = imported
        self.children(imported, lss_type, row)
        self.remember_condition(question, row.get("relevance", ""), title, page)

    def settings(self, question: Question, lss_type: str, row: dict, attributes: dict) -> None:
        """Kind-specific fields: number range, maximum of choices, scale range."""
        spec = kind_of(question.kind)
        if spec.is_numeric and not spec.uses_scale:
            question.number_min = _int(attributes.get("min_num_value_n"))
            question.number_max = _int(attributes.get("max_num_value_n"))
            if None not in (question.number_min, question.number_max) and (
                question.number_max < question.number_min
            ):
                question.number_min = question.number_max = None
        if lss_type == "M":
            max_answers = _int(attributes.get("max_answers"))
            question.max_choices = max_answers if max_answers and max_answers > 0 else None
        if spec.uses_scale:
            self.scale(question, lss_type, row)

    def scale(self, question: Question, lss_type: str, row: dict) -> None:
        question.scale_min, question.scale_max = 1, 5
        if lss_type != "F":
            return
        answers = self.structure.answers.get(row.get("qid", ""), [])
        labels = [_plain(a.get("answer", "")) for a in answers if a.get("scale_id", "0") == "0"]
        if len(labels) < 2:
            return
        if len(labels) > SCALE_SPAN + 1:
            self.note(
                _("%(code)s: only the first %(n)s scale points were imported."),
                code=row.get("title", ""),
                n=SCALE_SPAN + 1,
            )
            labels = labels[: SCALE_SPAN + 1]
        question.scale_max = len(labels)
        question.scale_min_label, question.scale_max_label = labels[0][:100], labels[-1][:100]
        if len(labels) > 2:
            self.note(
                _(
                    "%(code)s: the scale runs from 1 to %(n)s; only the labels of its ends "
                    "(“%(low)s”, “%(high)s”) were kept."
                ),
                code=row.get("title", ""),
                n=len(labels),
                low=labels[0],
                high=labels[-1],
            )

    def children(self, imported: _Imported, lss_type: str, row: dict) -> None:
        spec = kind_of(imported.question.kind)
        qid = row.get("qid", "")
        subquestions = self.structure.subquestions.get(qid, [])
        if spec.has_items:
            for position, sub in enumerate(subquestions, start=1):
                label = _plain(sub.get("question", "")) or sub.get("title", "")
                MatrixItem.objects.create(
                    question=imported.question, label=label[:LABEL_MAX], position=position
                )
            return
        if not spec.has_options:
            return
        if lss_type == "M":
            choices = [(s.get("title", ""), s.get("question", "")) for s in subquestions]
        elif lss_type == "Y":
            choices = [("Y", _("Yes")), ("N", _("No"))]
        else:
            answers = self.structure.answers.get(qid, [])
            choices = [(a.get("code", ""), a.get("answer", "")) for a in answers]
        self.options(imported, choices, other=row.get("other", "") == "Y")

    def options(self, imported: _Imported, choices: list[tuple[str, str]], other: bool) -> None:
        codes = [code for code, _label in choices]
        numbers = [_int(code) for code in codes]
        if None in numbers or len(set(numbers)) != len(numbers):
            numbers = list(range(1, len(codes) + 1))
            if codes:
                self.note(
                    _("%(code)s: the answer codes %(codes)s were numbered %(numbers)s."),
                    code=imported.question.code,
                    codes=", ".join(codes),
                    numbers=", ".join(str(n) for n in numbers),
                )
        for position, ((code, label), value) in enumerate(zip(choices, numbers, strict=True), 1):
            imported.options[code] = Option.objects.create(
                question=imported.question,
                label=(_plain(label) or code)[:LABEL_MAX],
                value=value,
                position=position,
            )
        if other:
            Option.objects.create(
                question=imported.question,
                label=_("Other (answer option)"),
                value=max(numbers, default=0) + 1,
                position=len(choices) + 1,
                is_other=True,
            )

    # Conditions are applied once every question exists.

    def remember_condition(self, element, expression: str, name: str, page: int) -> None:
        self.conditional.append((element, expression, name, page))

    def apply_conditions(self) -> None:
        for element, expression, name, page in self.conditional:
            parsed = parse_relevance(expression)
            if parsed == ALWAYS:
                continue
            resolved = self.resolve(parsed) if parsed else None
            problem = self.condition_problem(parsed, resolved, page)
            if problem:
                self.note(
                    _("%(name)s: the condition “%(expression)s” was not imported (%(why)s)."),
                    name=name,
                    expression=expression[:200],
                    why=problem,
                )
                continue
            source = self.imported[resolved[0]]
            element.condition_question = source.question
            element.save(update_fields=["condition_question"])
            element.condition_options.set([source.options[code] for code in resolved[1]])

    def resolve(self, terms: list[tuple[str, str]]) -> tuple[str, list[str]] | None:
        """The question and answer codes of the terms: ``Q1 == "A2"``, or for a multiple
        choice ``Q3_SQ001 == "Y"`` (its option SQ001 was chosen); None if they name
        different questions."""
        pairs = []
        for code, value in terms:
            base, _sep, sub = code.rpartition("_")
            if code not in self.imported and base in self.imported and value == "Y":
                code, value = base, sub
            pairs.append((code, value))
        codes = {code for code, _value in pairs}
        if len(codes) != 1:
            return None
        return codes.pop(), [value for _code, value in pairs]

    def condition_problem(self, parsed, resolved, page: int) -> str:
        if parsed is None:
            return _("only “question == answer code”, joined with “or”, can be imported")
        if resolved is None:
            return _("it refers to more than one question")
        code, values = resolved
        source = self.imported.get(code)
        if source is None or not source.options:
            return _("%(code)s is not an imported choice question") % {"code": code}
        if source.page >= page:
            return _("%(code)s is not on an earlier page") % {"code": code}
        unknown = [value for value in values if value not in source.options]
        if unknown:
            return _("%(code)s has no answer %(values)s") % {
                "code": code,
                "values": ", ".join(unknown),
            }
        return ""


@transaction.atomic
def lss_import(*, data: bytes, title: str = "") -> LssImport:
    """Create a draft survey from the bytes of a .lss file. Raises ``LssError``."""
    structure = parse_lss(data)
    if not structure.questions:
        raise LssError(_("The file contains no questions."))
    return _Builder(structure, title).build()
