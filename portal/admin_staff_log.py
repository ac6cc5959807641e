"""The administrators' log of all staff actions in the admin (in place of auditlog's own)."""

from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal import audit


def _short(value: str, limit: int = 60) -> str:
    """The list shows the beginning of long values; the entry itself shows them whole."""
    return value if len(value) <= limit else value[: limit - 1] + "…"


class KindFilter(admin.SimpleListFilter):
    title = gettext_lazy("kind of entry")
    parameter_name = "vorgang"

    def lookups(self, request, model_admin):
        return [(key, label) for key, label in audit.KIND_LABELS.items()]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        actions = {v: k for k, v in audit.ACTION_KINDS.items()}
        if value in actions:
            # auditlog's own entries, and ours of the same kind (deletions without history).
            plain = queryset.filter(action=actions[value])
            return plain.exclude(additional_data__has_key="kind") | plain.filter(
                additional_data__kind=value
            )
        return queryset.filter(additional_data__kind=value)


class CorrelationFilter(admin.SimpleListFilter):
    """Everything one admin action did (the link in the "kind" column sets it)."""

    title = gettext_lazy("one action")
    parameter_name = "cid"

    def lookups(self, request, model_admin):
        return []

    def has_output(self):
        return False

    def queryset(self, request, queryset):
        return queryset if self.value() is None else queryset.filter(cid=self.value())


class StaffLogAdmin(admin.ModelAdmin):
    """The administrators' log of all staff actions; read-only, for superusers only."""

    date_hierarchy = "timestamp"
    list_display = ["when", "person", "kind", "resource", "what"]
    list_filter = [
        ("actor", admin.RelatedOnlyFieldListFilter),
        ("content_type", admin.RelatedOnlyFieldListFilter),
        KindFilter,
        ("timestamp", admin.DateFieldListFilter),
        CorrelationFilter,
    ]
    list_select_related = ["content_type", "actor"]
    search_fields = ["object_repr"]
    fields = ["when", "person", "kind", "resource", "what", "changes_table"]
    readonly_fields = fields
    list_per_page = 100

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("time"), ordering="timestamp")
    def when(self, entry):
        return entry.timestamp

    @admin.display(description=gettext_lazy("person"), ordering="actor")
    def person(self, entry):
        return audit.person_label(entry)

    @admin.display(description=gettext_lazy("kind of entry"))
    def kind(self, entry):
        label = audit.entry_kind_label(entry)
        if not entry.cid:
            return label
        return format_html(
            '<a href="?cid={}" title="{}">{}</a>',
            entry.cid,
            _("Everything this action did"),
            label,
        )

    @admin.display(description=gettext_lazy("object"))
    def resource(self, entry):
        model = entry.content_type.model_class()
        kind = capfirst(model._meta.verbose_name) if model else entry.content_type.model
        if not entry.object_pk:
            return kind
        return f"{kind}: {entry.object_repr}"

    @admin.display(description=gettext_lazy("what"))
    def what(self, entry):
        summary = audit.entry_summary(entry)
        if summary:
            return summary
        return "; ".join(
            f"{row.label}: {_short(row.old)} → {_short(row.new)}"
            if row.old
            else f"{row.label}: {_short(row.new)}"
            for row in audit.entry_changes(entry)
        )

    @admin.display(description=gettext_lazy("changes"))
    def changes_table(self, entry):
        rows = audit.entry_changes(entry)
        if not rows:
            return "–"
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            _("field"),
            _("before"),
            _("after"),
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                [(r.label, r.old, r.new) for r in rows],
            ),
        )
