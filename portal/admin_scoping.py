"""Admin mixins for staff limited to one municipality (``EditorProfile.municipality``).

The rules (README, "Redaktion → Gruppen"; tests/ops/test_admin_permissions.py holds the
full matrix):

- Content of a municipality (news, ideas, events, registrations): a limited editor sees,
  changes, exports and deletes only what concerns their municipality. Content without a
  municipality (regional ideas, online events) belongs to the unlimited Redaktion and is not
  shown to them at all, the same for every model.
- Shared content (a news article concerning several municipalities) concerns their
  municipality too, so they may correct it. It stays shared: the municipalities they cannot
  choose are kept on every save, and they can neither delete it nor take it offline (status
  and publication date are read-only, the status actions skip it).
- Global content (pages such as Impressum and Datenschutz, topics, redirects): read only.

These are mixins, placed before the ModelAdmin class (``class X(ScopedMixin,
admin.ModelAdmin)``), so another base admin (e.g. one that keeps a history) combines with
them.
"""

from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from portal.models import Municipality
from portal.selectors import editor_municipality


class MunicipalityScopedMixin:
    """Limited editors see, pick and save only their municipality's objects."""

    # Path from the model to its municipality (a foreign key, a many-to-many field or a
    # lookup across relations such as "event__municipality").
    municipality_lookup = "municipalities"
    # Fields a limited editor may not change on shared objects (they would affect the other
    # municipalities): e.g. the publication status.
    shared_readonly_fields: tuple[str, ...] = ()

    def _field_is_many(self) -> bool:
        if "__" in self.municipality_lookup:
            return False
        return self.model._meta.get_field(self.municipality_lookup).many_to_many

    def scoped(self, queryset: QuerySet, municipality: Municipality) -> QuerySet:
        """``queryset`` narrowed to what concerns ``municipality`` (a subquery, so joins do
        not multiply rows or the admin's annotations)."""
        concerned = self.model._default_manager.filter(**{self.municipality_lookup: municipality})
        return queryset.filter(pk__in=concerned.values("pk"))

    def without_shared(self, queryset: QuerySet, municipality: Municipality) -> QuerySet:
        """``queryset`` without objects that also concern other municipalities."""
        if not self._field_is_many():
            return queryset
        shared = self.model._default_manager.filter(
            **{f"{self.municipality_lookup}__in": Municipality.objects.exclude(pk=municipality.pk)}
        )
        return queryset.exclude(pk__in=shared.values("pk"))

    def _remembered(self, request, obj, question: str, ask) -> bool:
        """``ask()`` once per object and request where the request cannot change the answer.

        The admin asks the same of one object many times while it renders a page (a change
        form: about a dozen times). A GET changes nothing, so the first answer holds; a POST
        (save, restore, delete) may move the object, so there every check asks again.
        """
        if request.method not in ("GET", "HEAD") or obj.pk is None:
            return ask()
        memo = request.__dict__.setdefault("_municipality_scope", {})
        key = (self.model._meta.label_lower, question, obj.pk)
        if key not in memo:
            memo[key] = ask()
        return memo[key]

    def is_shared(self, request, obj) -> bool:
        """Whether a limited editor's object also concerns municipalities they cannot see."""
        municipality = editor_municipality(request.user)
        if municipality is None or obj is None or obj.pk is None:
            return False
        queryset = self.model._default_manager.filter(pk=obj.pk)
        return self._remembered(
            request,
            obj,
            "shared",
            lambda: not self.without_shared(queryset, municipality).exists(),
        )

    def _in_scope(self, request, obj) -> bool:
        municipality = editor_municipality(request.user)
        if municipality is None or obj is None:
            return True
        queryset = self.model._default_manager.filter(pk=obj.pk)
        return self._remembered(
            request, obj, "in_scope", lambda: self.scoped(queryset, municipality).exists()
        )

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        municipality = editor_municipality(request.user)
        return queryset if municipality is None else self.scoped(queryset, municipality)

    # Object-level checks as well, so nothing depends on every path going through
    # get_queryset (bulk delete asks per object, inlines and related links per object).
    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._in_scope(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._in_scope(request, obj)

    def has_delete_permission(self, request, obj=None):
        return (
            super().has_delete_permission(request, obj)
            and self._in_scope(request, obj)
            and not self.is_shared(request, obj)
        )

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if self.is_shared(request, obj):
            readonly += [f for f in self.shared_readonly_fields if f not in readonly]
        return readonly

    def get_prepopulated_fields(self, request, obj=None):
        # A read-only field is not in the form; the admin cannot prepopulate it.
        fields = super().get_prepopulated_fields(request, obj)
        if not self.is_shared(request, obj):
            return fields
        return {
            name: sources
            for name, sources in fields.items()
            if name not in self.shared_readonly_fields
        }

    def _limit(self, db_field, request, kwargs):
        municipality = editor_municipality(request.user)
        if db_field.name == self.municipality_lookup and municipality is not None:
            kwargs["queryset"] = Municipality.objects.filter(pk=municipality.pk)
            kwargs["initial"] = [municipality] if db_field.many_to_many else municipality.pk
            kwargs["required"] = True
        return kwargs

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return super().formfield_for_manytomany(
            db_field, request, **self._limit(db_field, request, kwargs)
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return super().formfield_for_foreignkey(
            db_field, request, **self._limit(db_field, request, kwargs)
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        municipality = editor_municipality(request.user)
        if municipality is None or not self._field_is_many():
            return form_class
        return keep_hidden_municipalities(form_class, self.municipality_lookup, municipality)

    def limit_action(self, request, queryset: QuerySet) -> QuerySet:
        """For actions that change shared objects for everyone (e.g. unpublish): a limited
        editor's selection without shared objects, with a message naming the skipped."""
        municipality = editor_municipality(request.user)
        if municipality is None:
            return queryset
        allowed = self.without_shared(queryset, municipality)
        skipped = queryset.exclude(pk__in=allowed.values("pk"))
        if skipped.exists():
            self.message_user(
                request,
                format_lazy(
                    "{}: {}",
                    _(
                        "Skipped because they also concern other municipalities (ask the "
                        "editorial team responsible for all municipalities)"
                    ),
                    ", ".join(str(obj) for obj in skipped),
                ),
                messages.WARNING,
            )
        return allowed


def keep_hidden_municipalities(form_class, field_name: str, municipality: Municipality):
    """A form class whose many-to-many field ``field_name`` shows only ``municipality`` but
    keeps every other municipality the object already concerns.

    The widget offers a limited editor one choice; without this, saving an unchanged
    regional article would drop the six municipalities the editor never saw.
    """

    class KeepHiddenMunicipalitiesForm(form_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            current = list(self.initial.get(field_name) or []) if self.instance.pk else []
            pks = [getattr(value, "pk", value) for value in current]
            self.hidden_municipalities = list(
                Municipality.objects.filter(pk__in=pks).exclude(pk=municipality.pk)
            )
            # What the editor sees is what counts as "unchanged" (no false change message).
            self.initial[field_name] = [pk for pk in pks if pk == municipality.pk] or [
                municipality.pk
            ]
            if self.hidden_municipalities and field_name in self.fields:
                self.fields[field_name].help_text = format_lazy(
                    "{} {}",
                    _(
                        "Also concerns (kept when you save; only the editorial team for all "
                        "municipalities changes this):"
                    ),
                    ", ".join(m.name for m in self.hidden_municipalities),
                )

        def clean(self):
            cleaned_data = super().clean()
            if field_name in cleaned_data:
                cleaned_data[field_name] = [
                    *cleaned_data[field_name],
                    *self.hidden_municipalities,
                ]
            return cleaned_data

    KeepHiddenMunicipalitiesForm.__name__ = form_class.__name__
    return KeepHiddenMunicipalitiesForm


class GlobalContentMixin:
    """Content of the whole region (pages, topics, redirects): limited editors only read."""

    def _unlimited(self, request) -> bool:
        return editor_municipality(request.user) is None

    def has_add_permission(self, request, *args, **kwargs):
        return super().has_add_permission(request, *args, **kwargs) and self._unlimited(request)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._unlimited(request)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._unlimited(request)


def view_on_site(request, content_type_id: int, object_id: str):
    """The admin's "view on site" (``/admin/r/<type>/<id>/``) for objects the staff member may
    view in the admin only.

    Django's own view redirects every staff member to any object's address: counting up the
    id would read the slugs (so the titles) of other municipalities' drafts and of
    unpublished surveys. Objects of models without an admin page (inline objects such as
    event documents) need the model's view permission.
    """
    content_type = ContentType.objects.filter(pk=content_type_id).first()
    model = content_type.model_class() if content_type else None
    if model is None:
        raise Http404
    model_admin = admin.site._registry.get(model)
    try:
        if model_admin is None:
            permission = f"{model._meta.app_label}.view_{model._meta.model_name}"
            visible = request.user.has_perm(permission) and (
                model._default_manager.filter(pk=object_id).exists()
            )
        else:
            obj = model_admin.get_queryset(request).filter(pk=object_id).first()
            visible = obj is not None and model_admin.has_view_permission(request, obj)
    except (ValueError, TypeError, ValidationError):
        visible = False
    if not visible:
        raise Http404
    return shortcut(request, content_type_id, object_id)
