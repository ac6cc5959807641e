"""What other apps add to the portal's pages: a registry of context providers.

The portal imports no other app, so an app that shows something on a portal page (the
survey's results on municipality and topic pages) registers a provider in its
``AppConfig.ready``::

    from portal.page_context import register_page_context
    register_page_context("topic", "survey_findings", survey_topic_findings)

The page's view calls ``page_context("topic", topic=topic)``, which calls every provider
of the page with the page's objects as keyword arguments and puts what they return into
the template context under their names; the app's template tag then only renders it.

A provider registered with ``shared=True`` reads only public content that raises the content
version when it changes (``settings.PUBLIC_CONTENT_MODELS``, ``register_content_time``), and
its answer is the same for every visitor: the view passes ``request=`` and the answer is kept
in the worker's memory under the content version (``portal.memo.remember_part``), keyed by
the page's objects. Providers whose data has a version of its own (survey results) are not
shared this way, unless they name it: with ``version=`` (a function of the page's objects
returning a short string that changes whenever the answer may change other than with the
content version, e.g. the results versions of the surveys concerned, read in one query) the
answer is kept under the content version *and* that string, the provider is called with it
as ``version=`` (so it need not read it again), and the context also gets
``<name>_version`` for the ``{% part %}`` that renders it.
"""

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from portal.memo import remember_part

_PROVIDERS: dict[str, dict[str, tuple[Callable[..., Any], bool, Callable[..., str] | None]]] = (
    defaultdict(dict)
)


def register_page_context(
    page: str,
    name: str,
    provider: Callable[..., Any],
    *,
    shared: bool = False,
    version: Callable[..., str] | None = None,
) -> None:
    _PROVIDERS[page][name] = (provider, shared, version)


def _object_key(value: Any) -> Any:
    return (value._meta.label, value.pk) if hasattr(value, "_meta") else value


def page_context(page: str, request=None, **objects) -> dict[str, Any]:
    context = {}
    for name, (provider, shared, version) in _PROVIDERS[page].items():
        if (shared or version is not None) and request is not None:
            key = (
                "page-context",
                page,
                name,
                *sorted((field, _object_key(value)) for field, value in objects.items()),
            )
            compute = lambda p=provider: p(**objects)  # noqa: E731
            if version is not None:
                # Read before the answer is computed, which is then computed for it.
                context[f"{name}_version"] = own = version(**objects)
                key = (*key, own)
                compute = lambda p=provider, v=own: p(**objects, version=v)  # noqa: E731
            context[name] = remember_part(request, key, compute)
        elif version is not None:
            context[name] = provider(**objects, version=version(**objects))
        else:
            context[name] = provider(**objects)
    return context
