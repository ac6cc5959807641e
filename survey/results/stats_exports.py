"""Statistical exports of all responses for staff: SPSS (.sav), Stata (.dta) and R (a ZIP
with a CSV and an R script that applies the labels).

The variables and their values come from ``survey.results.stats_variables``; this module
only writes them. SPSS gets variable labels, value labels, measurement levels and the
missing codes declared as user-missing (-1 not shown, -2 no answer, -3 deleted, -4 not
coded; -1000000001 … for variables whose answers may be negative). Stata has no
user-missing values for numbers: there the codes become the extended missing values .a,
.b, .c and .d. Text variables carry the codes as the texts "-1" … "-4" (a typed answer that
is exactly such a code gets a leading apostrophe). Dates are dates.

The raw exports promise what the CSV/XLSX promise: staff with ``export_responses`` see every
response including free texts (no disclosure control, which applies to published figures),
and each download is logged with its number of rows, never its content.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
import zipfile

from django.utils.translation import gettext as _

from survey.models import Survey
from survey.results.exports import FORMULA_START
from survey.results.stats_variables import (
    DATE,
    NUMERIC,
    STRING,
    VALUES_CODES,
    Variable,
    settle_types,
    survey_variables,
    variable_rows,
)

# Stata's extended missing values for the missing codes.
STATA_MISSING = {-1: "a", -2: "b", -3: "c", -4: "d"}
SPSS_LABEL_BYTES = 255
STATA_LABEL_CHARS = 80
FILE_LABEL_BYTES = 64


def _truncate_bytes(text: str, limit: int) -> str:
    encoded = text.encode("utf-8")[:limit]
    return encoded.decode("utf-8", errors="ignore")


def _text_value(value, variable: Variable) -> str:
    """A text cell: missing codes as "-1" …; a typed text equal to a code is marked."""
    codes = {str(code) for code in variable.missing_codes()}
    if isinstance(value, int) and str(value) in codes:
        return str(value)
    text = "" if value is None else str(value)
    if text in codes:
        return "'" + text
    return text


def _columns(variables: list[Variable], rows) -> dict[str, list]:
    """The data column by column, each cell in the Python type its variable has."""
    data: dict[str, list] = {variable.name: [] for variable in variables}
    for row in rows:
        for variable, value in zip(variables, row, strict=True):
            if variable.type == STRING:
                value = _text_value(value, variable)
            data[variable.name].append(value)
    return data


def _frame(data: dict[str, list], variables: list[Variable]):
    import pandas as pd

    frame = pd.DataFrame({name: pd.Series(values, dtype=object) for name, values in data.items()})
    for variable in variables:
        if variable.type == NUMERIC:
            frame[variable.name] = pd.to_numeric(frame[variable.name], errors="coerce")
        elif variable.type == DATE and frame[variable.name].isna().all():
            # A date column without any date would otherwise be written as text.
            frame[variable.name] = pd.Series([None] * len(frame), dtype="datetime64[ns]")
    return frame


def _date_formats(variables: list[Variable], date_format: str) -> dict[str, str]:
    return {v.name: date_format for v in variables if v.type == DATE}


def _spss_labels(variable: Variable) -> dict:
    missing = variable.missing_codes()
    if variable.type == STRING:
        return {str(code): label for code, label in missing.items()}
    labels = {code: _truncate_bytes(label, 120) for code, label in variable.value_labels.items()}
    labels.update(missing)
    return labels


def _spss_missing_ranges(variable: Variable) -> list:
    """SPSS holds up to three discrete missing values (each variable has three)."""
    codes = list(variable.missing_codes())[:3]
    return [str(code) for code in codes] if variable.type == STRING else codes


def _temporary_output(write) -> io.BufferedReader:
    """Let ``write(path)`` write a file; return it opened at its start (and unlinked)."""
    handle, path = tempfile.mkstemp(suffix=".stat")
    os.close(handle)
    try:
        write(path)
        return open(path, "rb")
    finally:
        os.unlink(path)


def _rows(survey: Survey, values: str) -> tuple[list[Variable], list[list]]:
    variables = survey_variables(survey=survey, values=values)
    rows = list(variable_rows(survey=survey, variables=variables))
    settle_types(variables, rows)
    return variables, rows


def _table(survey: Survey, values: str):
    variables, rows = _rows(survey, values)
    return variables, _columns(variables, rows)


def responses_sav(*, survey: Survey, values: str = VALUES_CODES):
    """All responses as an SPSS .sav file (an open file positioned at its start)."""
    import pyreadstat

    variables, data = _table(survey, values)
    frame = _frame(data, variables)
    labelled = [v for v in variables if v.value_labels or v.missing]
    return _temporary_output(
        lambda path: pyreadstat.write_sav(
            frame,
            path,
            file_label=_truncate_bytes(survey.title, FILE_LABEL_BYTES),
            column_labels={v.name: _truncate_bytes(v.label, SPSS_LABEL_BYTES) for v in variables},
            variable_value_labels={v.name: _spss_labels(v) for v in labelled},
            missing_ranges={v.name: _spss_missing_ranges(v) for v in variables if v.missing},
            variable_measure={v.name: v.measure for v in variables},
            variable_format=_date_formats(variables, "DATE11"),
        )
    )


def _stata_cells(values: list, variable: Variable) -> list:
    if variable.type != NUMERIC:
        return values
    letters = {variable.code(reason): STATA_MISSING[reason] for reason in variable.missing}
    return [letters.get(value, value) for value in values]


def responses_dta(*, survey: Survey, values: str = VALUES_CODES):
    """All responses as a Stata .dta file (version 15; an open file at its start)."""
    import pyreadstat

    variables, data = _table(survey, values)
    for variable in variables:
        data[variable.name] = _stata_cells(data[variable.name], variable)
    frame = _frame(data, [v for v in variables if not v.missing])
    numeric_missing = [v for v in variables if v.type == NUMERIC and v.missing]
    return _temporary_output(
        lambda path: pyreadstat.write_dta(
            frame,
            path,
            file_label=survey.title[:STATA_LABEL_CHARS],
            column_labels={v.name: v.label[:STATA_LABEL_CHARS] for v in variables},
            variable_value_labels={
                v.name: {code: label[:STATA_LABEL_CHARS] for code, label in v.value_labels.items()}
                for v in variables
                if v.type == NUMERIC and v.value_labels
            },
            missing_user_values={
                v.name: [STATA_MISSING[code] for code in v.missing] for v in numeric_missing
            },
            variable_format=_date_formats(variables, "%td"),
            version=15,
        )
    )


# --- R --------------------------------------------------------------------------------------


def _r_string(text: str) -> str:
    """An R string literal (double quotes; backslashes, quotes and control characters
    escaped), so no label can break out of the script."""
    escaped = []
    for char in text:
        if char in '"\\':
            escaped.append("\\" + char)
        elif ord(char) < 32 or ord(char) == 127:
            escaped.append(f"\\x{ord(char):02x}")
        else:
            escaped.append(char)
    return '"' + "".join(escaped) + '"'


def _r_vector(values) -> str:
    return "c(" + ", ".join(values) + ")"


R_CLASSES = {NUMERIC: "numeric", STRING: "character", DATE: "Date"}


def _r_variable_lines(variable: Variable) -> list[str]:
    column = f"d[[{_r_string(variable.name)}]]"
    lines = []
    missing = variable.missing_codes()
    if missing:
        codes = [str(code) if variable.type != STRING else _r_string(str(code)) for code in missing]
        labels = _r_vector(_r_string(label) for label in missing.values())
        lines.append(f"{column} <- osl_missing({column}, {_r_vector(codes)}, {labels})")
    if variable.type == STRING and variable.column is not None:
        lines.append(f"{column} <- osl_unguard({column})")
    if variable.value_labels:
        levels = _r_vector(str(code) for code in variable.value_labels)
        labels = _r_vector(_r_string(label) for label in variable.value_labels.values())
        lines.append(f"{column} <- osl_factor({column}, {levels}, {labels})")
    lines.append(f'attr({column}, "label") <- {_r_string(variable.label)}')
    return lines


# Part of the script staff read, so its comments are German (like the rest of the UI).
R_HELPERS = r"""
# Fehlende Werte (-1 nicht gezeigt, -2 keine Angabe, -3 gelöscht, -4 nicht codiert;
# -1000000001 … wo Antworten negativ sein können) werden NA, der Grund steht im Attribut
# "missing_reason".
osl_missing <- function(x, codes, labels) {
  hit <- match(as.character(x), as.character(codes))
  x[!is.na(hit)] <- NA
  attr(x, "missing_reason") <- factor(labels[hit], levels = labels)
  x
}
# Texte, die mit = + - @ beginnen, haben zum Schutz in Tabellenprogrammen ein ' davor.
osl_unguard <- function(x) sub("^'(?=[-=+@\t\r])", "", x, perl = TRUE)
osl_factor <- function(x, levels, labels) {
  reason <- attr(x, "missing_reason")
  x <- factor(x, levels = levels, labels = labels)
  attr(x, "missing_reason") <- reason
  x
}
"""


def r_script(*, survey: Survey, variables: list[Variable], csv_name: str) -> str:
    """The R script that reads the CSV and applies types, labels and missing codes."""
    classes = ", ".join(
        f'{_r_string(v.name)} = "{R_CLASSES.get(v.type, "character")}"' for v in variables
    )
    lines = [
        f"# {survey.title}",
        "# "
        + _("Reads the responses and applies variable labels, value labels and missing codes."),
        "# "
        + _("Run it in the folder that holds the CSV file: %(command)s")
        % {"command": f'source("{csv_name.replace(".csv", ".R")}", encoding = "UTF-8")'},
        R_HELPERS.strip(),
        f'd <- read.csv({_r_string(csv_name)}, fileEncoding = "UTF-8", na.strings = "",',
        f"  check.names = FALSE, colClasses = c({classes}))",
    ]
    for variable in variables:
        lines.extend(_r_variable_lines(variable))
    return "\n".join(lines) + "\n"


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) and not _is_code(text) else text


def _is_code(text: str) -> bool:
    return text.lstrip("-").isdigit()


def responses_r_zip(*, survey: Survey, values: str = VALUES_CODES) -> io.BytesIO:
    """A ZIP with ``<slug>-antworten.csv`` (comma-separated, UTF-8) and
    ``<slug>-antworten.R`` that reads it with labels."""
    variables, rows = _rows(survey, values)
    csv_name = f"{survey.slug}-antworten.csv"
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow([v.name for v in variables])
    for row in rows:
        writer.writerow(
            [
                _csv_cell(_text_value(value, v) if v.type == STRING else value)
                for v, value in zip(variables, row, strict=True)
            ]
        )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(csv_name, text.getvalue().encode("utf-8"))
        archive.writestr(
            csv_name.replace(".csv", ".R"),
            r_script(survey=survey, variables=variables, csv_name=csv_name).encode("utf-8"),
        )
    buffer.seek(0)
    return buffer
