"""Two baseline views for `make bench`, served only with DJANGO_BENCHMARK_VIEWS=true.

They run through the same middleware as every page, so the ratio of a page to them shows
what the page itself costs: a constant response (no template, no database) and one small
query rendered through a small template.
"""

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render

from portal.models import Municipality

CONSTANT_PAGE = (
    '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">'
    "<title>Konstante Seite – Oschatzer Land – Collmregion</title></head>"
    "<body><main><h1>Konstante Seite</h1><p>Basislinie für Lasttests.</p></main></body></html>"
)


def _require_enabled():
    if not settings.BENCHMARK_VIEWS:
        raise Http404


def constant(request):
    _require_enabled()
    return HttpResponse(CONSTANT_PAGE)


def query(request):
    _require_enabled()
    names = list(Municipality.objects.order_by("name").values_list("name", flat=True))
    return render(request, "bench/query.html", {"names": names})
