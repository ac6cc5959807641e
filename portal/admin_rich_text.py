"""The rich-text editor on every long text in the admin, and the CSP exception it needs."""

import base64
import hashlib
import re

from portal.forms import RichTextFormField

IMPORTMAP = re.compile(rb'<script type="importmap"[^>]*>(.*?)</script>', re.DOTALL)
# The editor (Tiptap inside django-prose-editor 0.28) injects one fixed <style> element with
# its base CSS. Allowed by hash; after an upgrade the browser test
# test_staff_publishes_an_article_and_a_resident_finds_it names the new hash.
PROSE_EDITOR_STYLE_HASHES = ["'sha256-PlumsSlvJ7vvWzjqibGAYKq92O3y/4JTxWWsWJvyUYA='"]


def allow_importmap(response):
    """Let the CSP allow the editor's import map and base style by hash (no 'unsafe-inline')."""
    if hasattr(response, "render") and not response.is_rendered:
        response.render()
    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(match).digest()).decode() + "'"
        for match in IMPORTMAP.findall(getattr(response, "content", b""))
    ]
    if hashes:
        response._csp_update = {"script-src": hashes, "style-src": PROSE_EDITOR_STYLE_HASHES}
    return response


class RichTextAdminMixin:
    """Edit ``rich_text_fields`` with the rich-text editor; they are stored sanitised."""

    rich_text_fields: tuple[str, ...] = ()

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in self.rich_text_fields:
            return db_field.formfield(**{**kwargs, "form_class": RichTextFormField})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        response = super().changeform_view(request, object_id, form_url, extra_context)
        return allow_importmap(response)
