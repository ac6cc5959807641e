"""What other apps add to the portal's pages: a registry of context providers.

The portal imports no other app, so an app that shows something on a portal page (the
survey's results on municipality and topic pages) registers a provider in its
``AppConfig.ready``::

    from portal.page_context import register_page_context
    register_page_context("topic", "survey_findings", survey_topic_findings)

The page's view calls ``page_context("topic", topic=topic)``, which calls every provider
of the page with the page's objects as keyword arguments and puts what they return into
the template context under their names; the app's template tag then only renders it.
"""

from collections import defaultdict
from collections.abc import Callable
from typing import Any

_PROVIDERS: dict[str, dict[str, Callable[..., Any]]] = defaultdict(dict)


def register_page_context(page: str, name: str, provider: Callable[..., Any]) -> None:
    _PROVIDERS[page][name] = provider


def page_context(page: str, **objects) -> dict[str, Any]:
    return {name: provider(**objects) for name, provider in _PROVIDERS[page].items()}
