"""The audit log in the admin: on every tracked object a history with old and new values
and, for news, pages and events, a "restore this version" button; the log of all staff
actions for administrators is ``portal.admin_staff_log``.

``install(admin.site)`` runs once from the URLconf, after every app has registered its
admins (the survey app registers some in ``ready()``): it puts ``AuditedAdminMixin`` in
front of every registered ModelAdmin instead of editing each admin class, so every admin
action is logged and every history page shows the audit log.
"""

from functools import wraps
from urllib.parse import unquote

from auditlog.models import LogEntry
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.models import LogEntry as AdminLogEntry
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import audit
from portal.admin_staff_log import StaffLogAdmin


class _RestoreForm:
    """What an admin's save_model reads from its form, for a save that comes from a version."""

    def __init__(self, instance, changed):
        self.instance = instance
        self.changed_data = list(changed)
        self.initial = {}
        self.cleaned_data = {}


class AuditedAdminMixin:
    """Logs every admin action and shows the audit log as the object's history."""

    object_history_template = "admin/audit/object_history.html"

    # --- actions: who ran which action on which objects --------------------------------

    def get_actions(self, request):
        actions = super().get_actions(request)
        return {
            name: (self._logged_action(func, name, description), name, description)
            for name, (func, name, description) in actions.items()
        }

    def response_action(self, request, queryset):
        # A tampered selection ("abc", "²" as an id) would make the action's query fail
        # with a 500; ids that cannot be a primary key select nothing instead.
        selected = request.POST.getlist(ACTION_CHECKBOX_NAME)
        valid = [value for value in selected if self._is_pk(value)]
        if len(valid) != len(selected):
            request.POST = request.POST.copy()
            request.POST.setlist(ACTION_CHECKBOX_NAME, valid)
        return super().response_action(request, queryset)

    def _is_pk(self, value) -> bool:
        try:
            self.model._meta.pk.to_python(value)
        except ValidationError:
            return False
        return True

    def _logged_action(self, func, name, description):
        model = self.model

        @wraps(func)
        def logged(modeladmin, request, queryset):
            if name == "delete_selected" and not request.POST.get("post"):
                return func(modeladmin, request, queryset)  # the confirmation page only
            # Listed before the action runs: afterwards the objects may be gone or changed.
            objects, count = list(queryset[: audit.NAMED_LIMIT]), queryset.count()
            with audit.audit_correlated() as cid:
                result = func(modeladmin, request, queryset)
                if (
                    isinstance(result, TemplateResponse)
                    and not LogEntry.objects.filter(cid=cid).exists()
                ):
                    # A page that asks for more (how many codes?) and changed nothing yet:
                    # the entry is written when the action is carried out.
                    return result
                audit.audit_admin_action(
                    model=model, name=name, label=str(description), objects=objects, count=count
                )
                return result

        return logged

    # --- Django's own admin log: no registrant's name, no quote text -----------------

    def _mask_admin_log(self, entries):
        """Django's admin log stores str(obj): "Name (Event)" for a registration, the raw
        answer for a quote. For those models it keeps "Registration #12" instead."""
        if self.opts.label_lower not in audit.PERSONAL_MODELS or not entries:
            return entries
        for entry in entries if isinstance(entries, list) else [entries]:
            entry.object_repr = f"{capfirst(self.opts.verbose_name)} #{entry.object_id}"
            AdminLogEntry.objects.filter(pk=entry.pk).update(object_repr=entry.object_repr)
        return entries

    def log_addition(self, request, obj, message):
        return self._mask_admin_log(super().log_addition(request, obj, message))

    def log_change(self, request, obj, message):
        return self._mask_admin_log(super().log_change(request, obj, message))

    def log_deletions(self, request, queryset):
        """Deleting rows of a model without history (a survey response, an access code, a
        login lock) is logged as well: a deleted response changes the results."""
        objects = list(queryset)
        if objects and not audit.is_tracked(self.model):
            audit.audit_deleted(model=self.model, objects=objects)
        return self._mask_admin_log(super().log_deletions(request, objects))

    def construct_change_message(self, request, form, formsets, add=False):
        """Django stores English field labels and translates them only when showing them,
        which misses capitalised labels ("Municipalities concerned geändert"): store the
        labels in the language of the request (German) instead."""
        message = super().construct_change_message(request, form, formsets, add)
        for part in message:
            changed = part.get("changed")
            if changed and "object" not in changed:
                changed["fields"] = [
                    str(form.fields[name].label or name) if name in form.fields else name
                    for name in form.changed_data
                ]
        # Inline rows are named by str(obj): a quote's text (a raw answer) would end up in
        # the admin log of its question. Those rows are named by number instead.
        masked = {}
        for formset in formsets or ():
            if formset.model._meta.label_lower in audit.PERSONAL_MODELS:
                objects = [
                    *formset.new_objects,
                    *(obj for obj, _fields in formset.changed_objects),
                    *formset.deleted_objects,
                ]
                masked.update({str(obj): audit.safe_repr(obj) for obj in objects})
        for part in message:
            for detail in part.values():
                if isinstance(detail, dict) and detail.get("object") in masked:
                    detail["object"] = masked[detail["object"]]
        return message

    # --- history with old and new values --------------------------------------------

    def history_view(self, request, object_id, extra_context=None):
        if not audit.is_tracked(self.model):
            return super().history_view(request, object_id, extra_context)
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        paginator = self.get_paginator(request, audit.entries_for_object(obj), 50)
        page = paginator.get_page(request.GET.get("p"))
        may_restore = audit.can_restore(self.model) and self.has_change_permission(request, obj)
        entries = [
            {
                "entry": entry,
                "kind": audit.entry_kind_label(entry),
                "person": audit.person_label(entry),
                "summary": audit.entry_summary(entry),
                "changes": audit.entry_changes(entry),
                "restore_url": (
                    reverse(
                        f"admin:{self.opts.app_label}_{self.opts.model_name}_restore",
                        args=[quote(obj.pk), entry.pk],
                    )
                    # The newest entry is the current state: nothing to restore.
                    if may_restore and audit.restorable_fields(entry) and (page.number, i) != (1, 0)
                    else ""
                ),
            }
            for i, entry in enumerate(page)
        ]
        context = {
            **self.admin_site.each_context(request),
            # Registrations and quotes are named by number (their text is personal data).
            "title": _("History: %s") % audit.safe_repr(obj),
            "subtitle": None,
            "entries": entries,
            "page_obj": page,
            "module_name": str(capfirst(self.opts.verbose_name_plural)),
            "object": obj,
            "object_label": audit.safe_repr(obj),
            "opts": self.opts,
            "preserved_filters": self.get_preserved_filters(request),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.object_history_template, context)

    def get_urls(self):
        urls = super().get_urls()
        if not audit.can_restore(self.model):
            return urls
        restore = path(
            "<path:object_id>/history/<int:entry_id>/restore/",
            self.admin_site.admin_view(require_POST(self.restore_view)),
            name=f"{self.opts.app_label}_{self.opts.model_name}_restore",
        )
        return [restore, *urls]

    def restore_view(self, request, object_id, entry_id):
        """Restore an earlier version; only for someone who may change the object both as it
        is and as it would be (an editor limited to one place cannot move it elsewhere)."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        entry = get_object_or_404(audit.entries_for_object(obj), pk=entry_id)

        def save(instance, changed):
            self.save_model(request, instance, _RestoreForm(instance, changed), True)

        def allowed(instance):
            return self.get_queryset(request).filter(
                pk=instance.pk
            ).exists() and self.has_change_permission(request, instance)

        history_url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_history",
            args=[quote(obj.pk)],
        )
        editable = self.get_form(request, obj, change=True).base_fields
        try:
            changed = audit.version_restore(
                obj=obj,
                entry=entry,
                save=save,
                allowed=allowed,
                # What the form would not let this person change (read-only or not shown,
                # e.g. the status of a shared article), a restore does not change either.
                keep=set(audit.restorable_fields(entry)) - set(editable),
            )
        except audit.RestoreError as error:
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(history_url)
        except PermissionError as error:
            raise PermissionDenied from error
        labels = ", ".join(
            str(capfirst(self.opts.get_field(name).verbose_name)) for name in changed
        )
        self.message_user(
            request,
            _("The earlier version was restored (%(fields)s).") % {"fields": labels},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(history_url)


# Logs of logins (django-axes): an administrator reads them but cannot tidy them away.
APPEND_ONLY = {"axes.accesslog", "axes.accessfailurelog"}


class AppendOnlyMixin:
    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def install(site: admin.AdminSite) -> None:
    """Audit every registered admin and put the staff log in place of auditlog's own admin."""
    if site.is_registered(LogEntry):
        site.unregister(LogEntry)
    for model, model_admin in list(site._registry.items()):
        if isinstance(model_admin, AuditedAdminMixin):
            continue
        cls = type(model_admin)
        bases = (AuditedAdminMixin, cls)
        if model._meta.label_lower in APPEND_ONLY:
            bases = (AuditedAdminMixin, AppendOnlyMixin, cls)
        audited = type(cls.__name__, bases, {"__module__": cls.__module__})
        site.unregister(model)
        site.register(model, audited)
    site.register(LogEntry, StaffLogAdmin)
