"""The project's own style sheets are well-formed: a brace lost in a merge makes the browser
read every later rule as part of the block left open (the phone menu's rules ended up inside
a wide-screen media query, so phones showed the whole navigation)."""

import re
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[1] / "static" / "css"
COMMENT = re.compile(r"/\*.*?\*/", re.S)
STRING = re.compile(r"\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'")


def blocks(css: str) -> tuple[list[tuple[int, str]], list[str]]:
    """Every block opened in ``css`` (its nesting depth and its selector or at-rule), and the
    problems: a closing brace without a block, blocks never closed, media queries nested
    in another block (``@page`` in ``@media print`` is fine)."""
    css = STRING.sub('""', COMMENT.sub("", css))
    opened, found, problems, start = [], [], [], 0
    for match in re.finditer(r"[{}]", css):
        if match.group() == "{":
            prelude = " ".join(css[start : match.start()].split(";")[-1].split())
            if opened and prelude.startswith("@media"):
                problems.append(f"{prelude} inside {opened[-1]}")
            found.append((len(opened), prelude))
            opened.append(prelude)
        elif opened:
            opened.pop()
        else:
            problems.append(f"closing brace without a block after {found[-1:]}")
        start = match.end()
    problems.extend(f"never closed: {prelude}" for prelude in opened)
    return found, problems


@pytest.mark.parametrize("sheet", sorted(STATIC.glob("*.css")), ids=lambda path: path.name)
def test_every_block_is_closed_and_media_queries_are_not_nested(sheet):
    _found, problems = blocks(sheet.read_text())
    assert problems == [], sheet.name


def test_the_phone_menu_rules_apply_on_phones():
    found, _problems = blocks((STATIC / "site.css").read_text())
    index = found.index((1, ".site-menu"))
    enclosing = [prelude for depth, prelude in found[:index] if depth == 0][-1]
    assert enclosing == "@media (max-width: 767.98px)"


@pytest.mark.parametrize(
    ("css", "problem"),
    [
        (
            "@media (min-width: 768px) { .a { color: red; }\n.b { color: blue; }",
            "never closed: @media (min-width: 768px)",
        ),
        (".a { color: red; } }", "closing brace without a block after [(0, '.a')]"),
        (
            "@media print { @media screen { .a { color: red; } } }",
            "@media screen inside @media print",
        ),
    ],
    ids=["lost-closing-brace", "extra-closing-brace", "nested-media"],
)
def test_the_check_finds_broken_sheets(css, problem):
    assert blocks(css)[1] == [problem]


def test_braces_in_comments_and_strings_do_not_count():
    assert blocks('/* { */ .a::before { content: "}"; }') == ([(0, ".a::before")], [])
