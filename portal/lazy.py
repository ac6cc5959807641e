"""Rows read only when a template shows them.

A page whose main part is kept in worker memory (``{% part %}``, ``portal.memo``) renders
that part only when it is not kept, so the queries behind it should not even be built
before: building a queryset with its filters and annotations costs more CPU than a kept
part's whole render. ``lazy_list`` gives what a template iterates and tests for truth;
``LazyPages`` is the ``object_list`` of a ``Paginator`` whose count is known already.
"""

from collections.abc import Callable, Iterable
from typing import Any

from django.utils.functional import SimpleLazyObject


def lazy_list(build: Callable[[], Iterable[Any]]) -> SimpleLazyObject:
    """``list(build())``, computed when first used (iterated, tested, measured)."""
    return SimpleLazyObject(lambda: list(build()))


class LazyPages:
    """For ``Paginator(LazyPages(build), size)`` with ``paginator.count`` set: a page's
    rows are ``build()[bottom:top]``, read when the template first uses them."""

    def __init__(self, build: Callable[[], Any]):
        self.build = build

    def __getitem__(self, index: slice) -> SimpleLazyObject:
        return lazy_list(lambda: self.build()[index])

    def count(self) -> int:
        return self.build().count()
