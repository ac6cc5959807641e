from datetime import datetime

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from media.rendering import expand_embeds
from portal import selectors
from portal.memo import remember_part
from portal.sanitize import clean_html

register = template.Library()


@register.filter
def html_datetime(value: datetime | None) -> str:
    """A <time datetime> value in local time, to the second: "2026-10-25T10:00:00+01:00".
    (Django's "c" format adds microseconds, which HTML does not allow and which would tell
    the exact moment somebody sent something.)"""
    if not value:
        return ""
    return timezone.localtime(value).replace(microsecond=0).isoformat()


@register.filter
def time_element(value: datetime | None, pattern: str) -> str:
    """``value`` as ``<time datetime="…">`` with the text in Django's date ``pattern``
    (local time), for sentences that name two moments (an event over midnight)."""
    if not value:
        return ""
    local = timezone.localtime(value)
    return format_html(
        '<time datetime="{}">{}</time>', html_datetime(value), date_format(local, pattern)
    )


@register.filter
def rich_text(value: str) -> str:
    """Render staff rich text, sanitised on the way out whatever is stored; embed codes of
    the media library ([bild:12], [datei:12]) become figures and download links."""
    return mark_safe(expand_embeds(clean_html(value)))  # safe: sanitised, then our templates


# Header and footer are the same on every page except for the marked entry and the search
# box's value, so each is rendered once per process, language and entry (they hold no data,
# only templates, translations and static file names, which change only with a deploy).
_layout_parts: dict[tuple, str] = {}


def _layout_part(template_name: str, context: dict, *, reuse: bool = True) -> str:
    key = (template_name, get_language(), *sorted(context.items()))
    html = _layout_parts.get(key) if reuse and not settings.DEBUG else None
    if html is None:
        html = render_to_string(template_name, context)
        if reuse:
            _layout_parts[key] = html
    return mark_safe(html)


def _menus(context) -> dict:
    """Both menus, read once per request (header and footer)."""
    request = context.get("request")
    menus = getattr(request, "_site_menus", None)
    if menus is None:
        menus = selectors.site_menus(getattr(request, "_content_version", None))
        if request is not None:
            request._site_menus = menus
    return menus


def current_entry(path: str, items) -> str:
    """The address of the main menu entry the visitor is in (the longest matching one; the
    home page only on itself), marked aria-current."""
    matches = [url for _, url in items if url == path or (url != "/" and path.startswith(url))]
    return max(matches, key=len, default="")


# Stands for the search box's value in the header kept per process: control characters,
# which a query never holds (``normalize_query`` drops them) and escaping leaves alone.
SEARCH_VALUE_MARK = "\x02search-query\x03"


@register.simple_tag(takes_context=True)
def site_header(context) -> str:
    request = context.get("request")
    path = request.path if request is not None else ""
    items = _menus(context)["main"]
    search_query = str(context.get("search_query") or "")
    # The entries are part of the key, so a changed menu renders a new header. The search
    # box's value is put in afterwards (escaped, as the template would), so every query
    # shares one header instead of rendering its own.
    html = _layout_part(
        "includes/header.html",
        {
            "nav_items": items,
            "nav_current": current_entry(path, items),
            "search_query": SEARCH_VALUE_MARK if search_query else "",
        },
    )
    if search_query:
        html = mark_safe(html.replace(SEARCH_VALUE_MARK, escape(search_query)))  # escaped
    return html


@register.simple_tag(takes_context=True)
def site_footer(context) -> str:
    # The entries are part of the key, so a changed list renders a new footer.
    return _layout_part("includes/footer.html", {"footer_items": _menus(context)["footer"]})


class _PartNode(template.Node):
    def __init__(self, nodelist, name: str, keys: list, condition=None):
        self.nodelist, self.name, self.keys = nodelist, name, keys
        self.condition = condition

    def render(self, context) -> str:
        request = context.get("request")
        if (
            request is None
            or settings.DEBUG
            or (self.condition is not None and not self.condition.resolve(context))
        ):
            return self.nodelist.render(context)
        key = (self.name, *(_part_key(var.resolve(context)) for var in self.keys))
        return remember_part(request, key, lambda: mark_safe(self.nodelist.render(context)))


def _part_key(value):
    """A model instance counts by its class and primary key; anything else as it is (a
    string, number, None), so two different objects never share a part."""
    pk = getattr(value, "pk", None)
    if pk is not None and hasattr(value, "_meta"):
        return (value._meta.label, pk)
    if value is not None and not isinstance(value, str | int | bool):
        raise template.TemplateSyntaxError(f"{{% part %}} cannot key on {type(value)!r}")
    return value


@register.tag("part")
def do_part(parser, token):
    """``{% part "events-teaser" municipality topic %}…{% endpart %}``: the enclosed HTML
    kept in this worker's memory under the content version, the language, the name and the
    given values (``portal.memo.remember_part``). Only for HTML that is the same for every
    visitor whatever their session: nothing with a CSRF token, the user, messages, staff
    links or the survey test mode, and every value the HTML depends on in the key.

    ``{% part "news-list" page_number if keep_list %}``: kept only while the value after
    ``if`` is true, else rendered as if there were no part (e.g. for a filter the visitor
    typed that the page does not offer: such values never become keys)."""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("{% part %} needs a name")
    condition = None
    if "if" in bits[2:]:
        at = bits.index("if", 2)
        if at != len(bits) - 2:
            raise template.TemplateSyntaxError("{% part … if %} needs one value after if")
        condition = parser.compile_filter(bits[-1])
        bits = bits[:at]
    nodelist = parser.parse(("endpart",))
    parser.delete_first_token()
    keys = [parser.compile_filter(b) for b in bits[2:]]
    return _PartNode(nodelist, bits[1].strip("\"'"), keys, condition)


@register.simple_tag
def search_result_list(page) -> str:
    """The ``<ol>`` of a search's results (``portal.search.SearchPage``), rendered once per
    page kept in the worker's memo and time zone: it holds only the public results, never
    the query, a token or anything of the visitor."""
    key = ("portal/search_results.html", timezone.get_current_timezone_name())
    html = page.rendered.get(key)
    if html is None:
        html = render_to_string(key[0], {"results": page.results}).removesuffix("\n")
        page.rendered[key] = html
    return mark_safe(html)  # safe: our template, autoescaped
