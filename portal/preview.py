"""Staff preview of public content that is not public (yet): drafts, scheduled items.

A preview is the public address with ``?vorschau`` (the admin's "Vorschau" button links
there). Only active staff with the model's view permission get it, and an editor limited to
one municipality only for what the admin shows them; everyone else gets what the public
gets (a 404 for a draft). A preview response is never stored by the page cache (the query
parameter is not one a cached page accepts, and a logged-in request is never cached), is
marked ``noindex`` and must not be kept by browsers or proxies.
"""

from django.utils.cache import add_never_cache_headers

PREVIEW_PARAM = "vorschau"


def wants_preview(request) -> bool:
    return PREVIEW_PARAM in request.GET


def can_preview(user, model) -> bool:
    """Whether ``user`` may preview unpublished objects of ``model`` at all."""
    opts = model._meta
    return bool(
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perm(f"{opts.app_label}.view_{opts.model_name}")
    )


def preview_url(obj) -> str:
    return f"{obj.get_absolute_url()}?{PREVIEW_PARAM}"


def mark_preview(response):
    """No cache anywhere, no search engine: for every answer to a ``?vorschau`` request."""
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


class PreviewAdminMixin:
    """A "Vorschau" button on the change form (templates/admin/change_form_object_tools.html)
    that opens the saved object at its public address with ``?vorschau``."""

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk and can_preview(request.user, self.model):
            context["preview_url"] = preview_url(obj)
        return super().render_change_form(request, context, add, change, form_url, obj)
