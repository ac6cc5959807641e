"""Two baseline views for `make bench`, served only with DJANGO_BENCH=true (bench/apps.py).

They run through the same middleware as every page, so the ratio of a page to them shows
what the page itself costs: a constant response (no template, no database) and one small
query rendered through a small template.
"""

from django.http import HttpResponse
from django.shortcuts import render

from portal.models import Municipality

CONSTANT_PAGE = (
    '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">'
    "<title>Konstante Seite – Oschatzer Land – Collmregion</title></head>"
    "<body><main><h1>Konstante Seite</h1><p>Basislinie für Lasttests.</p></main></body></html>"
)


def constant(request):
    return HttpResponse(CONSTANT_PAGE)


def query(request):
    names = list(Municipality.objects.order_by("name").values_list("name", flat=True))
    return render(request, "bench/query.html", {"names": names})
