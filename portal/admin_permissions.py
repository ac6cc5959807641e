"""Permission names in German in the admin (users and groups).

Django stores a permission's name once, in English, when ``migrate`` creates it ("Can add
news article"). The selector shows it as it is stored, so the admin builds the label from
the model's (translated) name and the action instead; the names of the apps' own
permissions are English msgids with a translation.
"""

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.models import Group
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "add": _("Can add %(name)s"),
    "change": _("Can change %(name)s"),
    "delete": _("Can delete %(name)s"),
    "view": _("Can view %(name)s"),
}


def permission_label(permission) -> str:
    content_type = permission.content_type
    model = content_type.model_class()
    if model is None:
        return f"{content_type.app_label} | {content_type.model} | {gettext(permission.name)}"
    opts = model._meta
    action, _sep, rest = permission.codename.partition("_")
    if action in ACTIONS and rest == opts.model_name:
        text = ACTIONS[action] % {"name": opts.verbose_name}
    else:
        text = gettext(permission.name)
    return f"{opts.app_config.verbose_name} | {capfirst(opts.verbose_name)} | {text}"


class GermanPermissionsMixin:
    """For the admins of users and groups: the permission selector in German."""

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name in ("permissions", "user_permissions") and field is not None:
            field.queryset = field.queryset.select_related("content_type")
            field.label_from_instance = permission_label
        return field


class PortalGroupAdmin(GermanPermissionsMixin, GroupAdmin):
    pass


def install(site: admin.AdminSite) -> None:
    if site.is_registered(Group):
        site.unregister(Group)
    site.register(Group, PortalGroupAdmin)
