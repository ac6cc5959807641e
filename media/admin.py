from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from media import services
from media.forms import MediaFileAdminForm
from media.models import MediaFile, MediaKind
from media.rendering import thumbnail_url
from media.usage import media_text_usages, media_usages, used_media_ids


class UsageFilter(admin.SimpleListFilter):
    title = _("usage")
    parameter_name = "verwendung"

    def lookups(self, request, model_admin):
        return [("unbenutzt", _("not used")), ("benutzt", _("in use"))]

    def queryset(self, request, queryset):
        if self.value() == "unbenutzt":
            return queryset.exclude(pk__in=used_media_ids())
        if self.value() == "benutzt":
            return queryset.filter(pk__in=used_media_ids())
        return queryset


@admin.register(MediaFile)
class MediaFileAdmin(admin.ModelAdmin):
    form = MediaFileAdminForm
    list_display = [
        "thumbnail",
        "title",
        "kind",
        "file_type",
        "size_display",
        "embed_code",
        "variants_status",
        "created_at",
    ]
    list_display_links = ["thumbnail", "title"]
    list_filter = [UsageFilter, "kind", "variants_status"]
    search_fields = ["title", "alt_text", "caption", "credit"]
    date_hierarchy = "created_at"
    list_per_page = 50
    view_on_site = False
    readonly_fields = [
        "focal_point_picker",
        "embed_code",
        "usages",
        "file_info",
        "variants_status",
        "uploaded_by",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["upload", "title", "embed_code"]}),
        (_("Description"), {"fields": ["alt_text", "decorative", "caption", "credit"]}),
        (_("Focal point"), {"fields": ["focal_point_picker", "focal_x", "focal_y"]}),
        (
            _("Details"),
            {
                "fields": [
                    "file_info",
                    "variants_status",
                    "usages",
                    "uploaded_by",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]

    class Media:
        css = {"all": ["css/media-admin.css"]}
        js = ["js/media-admin.js"]

    @admin.display(description=_("preview"))
    def thumbnail(self, media):
        if media.kind != MediaKind.IMAGE:
            return format_html(
                '<span class="media-thumb media-thumb--doc">{}</span>', media.file_type.upper()
            )
        return format_html(
            '<img class="media-thumb" src="{}" alt="" width="80" loading="lazy">',
            thumbnail_url(media),
        )

    @admin.display(description=_("size"))
    def size_display(self, media):
        from django.template.defaultfilters import filesizeformat

        return filesizeformat(media.size)

    @admin.display(description=_("code for texts"))
    def embed_code(self, media):
        if not media.pk:
            return _("Shown after saving.")
        # The copy button needs JavaScript (media-admin.js shows it); the code is selectable.
        return format_html(
            '<code>{}</code> <button type="button" class="button media-copy" data-copy="{}" '
            'data-copied="{}" hidden>{}</button>'
            '<span class="media-copy__status" role="status"></span>',
            media.embed_code,
            media.embed_code,
            _("Copied: paste it into a paragraph of its own."),
            _("Copy code"),
        )

    @admin.display(description=_("used in"))
    def usages(self, media):
        found = media_usages(media) if media.pk else []
        if not found:
            return _("Not used anywhere.")
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "", '<li><a href="{}">{}</a></li>', ((url, label) for label, url in found)
            ),
        )

    @admin.display(description=_("file"))
    def file_info(self, media):
        if not media.pk:
            return "–"
        size = f"{media.width} × {media.height} px, " if media.width else ""
        return format_html(
            '<a href="{}">{}</a> ({}{})',
            media.file.url,
            media.file_type.upper(),
            size,
            self.size_display(media),
        )

    @admin.display(description=_("set by clicking"))
    def focal_point_picker(self, media):
        if not media.pk or media.kind != MediaKind.IMAGE:
            return _("For images, after uploading.")
        return format_html(
            '<div class="focal-picker" data-focal-picker><img src="{}" alt="{}" width="{}" '
            'height="{}"><span class="focal-picker__marker" aria-hidden="true"></span></div>'
            '<p class="help">{}</p>',
            media.file.url,
            media.alt_text,
            media.width,
            media.height,
            _(
                "Click on the most important part of the image; crops keep it in view. Or enter "
                "the numbers below."
            ),
        )

    def save_model(self, request, obj, form, change):
        upload = form.cleaned_data.get("upload")
        obj.title = form.cleaned_data.get("title") or obj.title
        if not change:
            obj.uploaded_by = request.user
        if upload:
            obj.kind = form.upload_kind
            services.media_file_store_upload(media=obj, upload=upload)
        elif {"focal_x", "focal_y"} & set(form.changed_data):
            services.media_file_focal_point_changed(media=obj)
        super().save_model(request, obj, form, change)

    def get_deleted_objects(self, objs, request):
        """Django lists files protected by foreign keys; add those embedded in texts, so a
        used file is never deleted and the editor sees where it is used."""
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        for media in objs:
            # Foreign keys are PROTECT: Django lists those already.
            for label, _url in media_text_usages(media):
                entry = f"{media.title}: {label}"
                if entry not in protected:
                    protected.append(entry)
        return to_delete, model_count, perms_needed, protected

    def delete_model(self, request, obj):
        services.media_file_delete(media=obj)

    def delete_queryset(self, request, queryset):
        for media in queryset:
            try:
                services.media_file_delete(media=media)
            except services.MediaInUseError as error:
                self.message_user(request, str(error), messages.ERROR)
            except ValidationError as error:  # pragma: no cover - defensive
                self.message_user(request, " ".join(error.messages), messages.ERROR)


def media_preview_field(field: str = "image"):
    """A read-only admin field showing a thumbnail of the chosen library image."""

    @admin.display(description=_("preview"))
    def preview(modeladmin, obj):
        media = getattr(obj, field, None) if obj is not None else None
        if media is None:
            return _("No image chosen. Choose one above, or upload it to the media library first.")
        return format_html(
            '<img class="media-thumb" src="{}" alt="" width="80"> {}',
            thumbnail_url(media),
            media.alt_text,
        )

    return preview


class LibraryAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete re-renders a refused value by looking it up: a tampered value
    ("abc") would raise ValueError, a server error instead of the form's message."""

    def optgroups(self, name, value, attr=None):
        value = [item for item in value if str(item).isdigit() and len(str(item)) < 19]
        return super().optgroups(name, value, attr)


class LibraryChoiceMixin:
    """For ModelAdmins whose autocomplete fields point at the media library."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is MediaFile and db_field.name in self.get_autocomplete_fields(
            request
        ):
            kwargs.setdefault(
                "widget",
                LibraryAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using")),
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
