"""Disclosure control of published cross tables: cell suppression as in official statistics.

A cross table has a row per answer and a column per group (municipality, age group …); the
total of each row is published as well (it is the unbroken result), and for questions with
one answer per person each column adds up to the published number of people in the group
who answered. So:

- primary suppression: every count from 1 to ``threshold - 1`` is not published;
- secondary suppression: further cells are withheld until no suppressed cell can be worked
  out from the published totals. With the row and column sums known, the suppressed cells
  of a table are fixed exactly when they form no cycle: think of rows and columns as the
  nodes of a graph and of each suppressed cell as an edge between its row and its column;
  a cell can be computed by differencing if and only if its edge is a bridge (lies on no
  cycle). With only the row sums known (several answers per person), a cell is fixed when
  it is the only suppressed one in its row. Cells are added, smallest first and preferably
  where they close a cycle, until no suppressed cell is fixed.

Zero cells are not suppressed on their own (an empty cell discloses nobody) but may be
chosen to protect others when nothing else is left.
"""

from __future__ import annotations

from collections import defaultdict

Cell = tuple[int, int]


def _connected(edges: set[Cell], start: tuple[str, int], goal: tuple[str, int]) -> bool:
    """Whether two nodes (("r", row) or ("c", column)) are joined by the given cells."""
    neighbours: dict[tuple[str, int], list[tuple[str, int]]] = defaultdict(list)
    for r, c in edges:
        neighbours[("r", r)].append(("c", c))
        neighbours[("c", c)].append(("r", r))
    seen = {start}
    todo = [start]
    while todo:
        node = todo.pop()
        if node == goal:
            return True
        for other in neighbours[node]:
            if other not in seen:
                seen.add(other)
                todo.append(other)
    return False


def _exposed(suppressed: set[Cell], *, columns_add_up: bool) -> Cell | None:
    """A suppressed cell the published sums give away, or None."""
    if not columns_add_up:
        per_row: dict[int, list[Cell]] = defaultdict(list)
        for cell in suppressed:
            per_row[cell[0]].append(cell)
        for cells in per_row.values():
            if len(cells) == 1:
                return cells[0]
        return None
    for cell in sorted(suppressed):
        if not _connected(suppressed - {cell}, ("r", cell[0]), ("c", cell[1])):
            return cell
    return None


def suppressed_cells(
    counts: list[list[int]],
    *,
    threshold: int,
    columns_add_up: bool,
    sensitive: set[Cell] | None = None,
) -> set[Cell] | None:
    """The cells of ``counts[row][column]`` (group columns only, without the total) that
    must not be published; None when no pattern protects them (the table is then not
    published broken down at all). ``sensitive`` are the cells that must not be published
    in any case (primary suppression); by default the counts from 1 to threshold - 1."""
    rows = len(counts)
    columns = len(counts[0]) if rows else 0
    if sensitive is None:
        sensitive = {
            (r, c) for r in range(rows) for c in range(columns) if 0 < counts[r][c] < threshold
        }
    suppressed = set(sensitive)
    while (cell := _exposed(suppressed, columns_add_up=columns_add_up)) is not None:
        r, c = cell
        others = suppressed - {cell}
        candidates = [(r, c2) for c2 in range(columns) if (r, c2) not in suppressed]
        if columns_add_up:
            candidates += [(r2, c) for r2 in range(rows) if (r2, c) not in suppressed]
        if not candidates:
            return None

        def cost(candidate: Cell, others=others, r=r, c=c) -> tuple:
            r2, c2 = candidate
            # A cell that closes a cycle through the exposed one protects it at once.
            closes = columns_add_up and (
                _connected(others, ("c", c2), ("c", c))
                if r2 == r
                else _connected(others, ("r", r2), ("r", r))
            )
            value = counts[r2][c2]
            return (not closes, value == 0, value, candidate)

        suppressed.add(min(candidates, key=cost))
    return suppressed
