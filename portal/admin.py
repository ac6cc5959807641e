from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.redirects.admin import RedirectAdmin
from django.contrib.redirects.models import Redirect
from django.db import models
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from media.admin import LibraryChoiceMixin, media_preview_field
from portal import services
from portal.admin_permissions import GermanPermissionsMixin
from portal.admin_permissions import install as install_german_permissions
from portal.admin_rich_text import RichTextAdminMixin
from portal.admin_scoping import GlobalContentMixin, MunicipalityScopedMixin
from portal.forms import LocalRedirectForm, NewsArticleAdminForm, RedirectForm
from portal.models import (
    LEGAL_PAGES,
    EditorProfile,
    Idea,
    IdeaStatus,
    MenuItem,
    Municipality,
    NewsArticle,
    NewsStatus,
    Page,
    Topic,
)
from portal.preview import PreviewAdminMixin
from portal.selectors import editor_municipality


class MunicipalityScopedAdmin(MunicipalityScopedMixin, admin.ModelAdmin):
    """Editors limited to one municipality see, pick and save only that municipality."""


def log_action(modeladmin, request, objects, message: str) -> None:
    for obj in objects:
        modeladmin.log_change(request, obj, message)


class NewsStateFilter(admin.SimpleListFilter):
    """Draft, scheduled (published with a future date) or published: "Geplant" is a status
    of its own for staff, though the model stores it as published plus a date."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [
            (NewsStatus.DRAFT, _("Draft")),
            ("scheduled", _("Scheduled")),
            (NewsStatus.PUBLISHED, _("Published")),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == NewsStatus.DRAFT:
            return queryset.filter(status=NewsStatus.DRAFT)
        if self.value() == "scheduled":
            return queryset.filter(status=NewsStatus.PUBLISHED, published_at__gt=now)
        if self.value() == NewsStatus.PUBLISHED:
            return queryset.filter(status=NewsStatus.PUBLISHED, published_at__lte=now)
        return queryset


@admin.register(NewsArticle)
class NewsArticleAdmin(
    PreviewAdminMixin, LibraryChoiceMixin, RichTextAdminMixin, MunicipalityScopedAdmin
):
    form = NewsArticleAdminForm
    rich_text_fields = ("body",)
    autocomplete_fields = ["image"]
    list_display = ["title", "state_display", "published_at", "is_public_display", "author"]
    # Only the authors of articles the user sees, not every account (login names).
    list_filter = [
        NewsStateFilter,
        "topics",
        "municipalities",
        ("author", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["title", "teaser", "body"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["topics", "municipalities"]
    readonly_fields = ["author", "preview_link", "image_preview", "created_at", "updated_at"]
    # A limited editor may correct a shared article but not take it offline for everyone,
    # nor move it to another address (the other municipalities link to it).
    shared_readonly_fields = ("status", "published_at", "slug")
    actions = ["publish", "unpublish"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "teaser", "body"]}),
        (_("Image"), {"fields": ["image", "image_preview"]}),
        (_("Assignment"), {"fields": ["topics", "municipalities"]}),
        (
            _("Publication"),
            {
                "fields": [
                    "status",
                    "published_at",
                    "preview_link",
                    "author",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]

    image_preview = media_preview_field()

    @admin.display(description=_("status"), ordering="status")
    def state_display(self, article):
        if article.status == NewsStatus.PUBLISHED and not article.is_public:
            return _("Scheduled")
        return article.get_status_display()

    @admin.display(boolean=True, description=_("visible now"))
    def is_public_display(self, article):
        return article.is_public

    @admin.display(description=_("preview"))
    def preview_link(self, article):
        if not article.pk:
            return _("Save the article first.")
        return format_html(
            '<a href="{}?vorschau" target="_blank" rel="noopener">{}</a>',
            article.get_absolute_url(),
            _("Show preview (also for drafts)"),
        )

    def view_on_site(self, article):
        return article.get_absolute_url() + ("" if article.is_public else "?vorschau")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.author = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Publish selected articles"), permissions=["change"])
    def publish(self, request, queryset):
        self._set_status(request, queryset, NewsStatus.PUBLISHED)

    @admin.action(
        description=_("Unpublish selected articles (back to draft)"), permissions=["change"]
    )
    def unpublish(self, request, queryset):
        self._set_status(request, queryset, NewsStatus.DRAFT)

    def _set_status(self, request, queryset, status):
        queryset = self.limit_action(request, queryset)
        articles = list(queryset.exclude(status=status))
        count = services.news_articles_set_status(articles=queryset, status=status)
        log_action(self, request, articles, str(_("Status set to %s.") % status))
        self.message_user(
            request,
            ngettext("%d article changed.", "%d articles changed.", count) % count,
            messages.SUCCESS,
        )


@admin.register(Idea)
class IdeaAdmin(MunicipalityScopedAdmin):
    municipality_lookup = "municipality"
    list_display = ["title", "status", "municipality", "topic", "created_at", "has_reply"]
    list_filter = ["status", "municipality", "topic"]
    search_fields = ["title", "text", "name"]
    date_hierarchy = "created_at"
    readonly_fields = ["name", "email", "created_at", "moderated_by", "moderated_at", "replied_at"]
    fields = [
        "title",
        "text",
        "municipality",
        "topic",
        "status",
        "reply",
        "name",
        "email",
        "created_at",
        "moderated_by",
        "moderated_at",
        "replied_at",
    ]
    actions = ["approve", "reject"]

    def has_add_permission(self, request):
        return False  # ideas come from residents through /mitmachen/

    @admin.display(boolean=True, description=_("replied"))
    def has_reply(self, idea):
        return bool(idea.reply)

    def save_model(self, request, obj, form, change):
        # Moderation goes through the services (who, when, the reply e-mail).
        new_status, new_reply = obj.status, obj.reply
        if change:
            obj.status = form.initial.get("status", obj.status)
            obj.reply = form.initial.get("reply", "")
        super().save_model(request, obj, form, change)
        if new_status != obj.status:
            services.ideas_set_status(
                ideas=Idea.objects.filter(pk=obj.pk), status=new_status, user=request.user
            )
            obj.refresh_from_db()
        if new_reply != obj.reply:
            services.idea_reply(idea=obj, reply=new_reply, user=request.user)

    @admin.action(description=_("Approve selected ideas (publish)"), permissions=["change"])
    def approve(self, request, queryset):
        self._set_status(request, queryset, IdeaStatus.APPROVED)

    @admin.action(description=_("Reject selected ideas"), permissions=["change"])
    def reject(self, request, queryset):
        self._set_status(request, queryset, IdeaStatus.REJECTED)

    def _set_status(self, request, queryset, status):
        ideas = list(queryset.exclude(status=status))
        count = services.ideas_set_status(ideas=queryset, status=status, user=request.user)
        log_action(self, request, ideas, str(_("Status set to %s.") % status))
        self.message_user(
            request,
            ngettext("%d idea changed.", "%d ideas changed.", count) % count,
            messages.SUCCESS,
        )


@admin.register(Municipality)
class MunicipalityAdmin(
    PreviewAdminMixin, LibraryChoiceMixin, RichTextAdminMixin, admin.ModelAdmin
):
    """The seven members are fixed: only superusers add or delete one (deleting one would
    detach its news and ideas and lift the limit of its editors). A limited editor keeps the
    profile of their own municipality up to date."""

    # Websites typed without a scheme are https (Django 6's default, asked for now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "kind", "population", "population_as_of", "head_name"]
    list_filter = ["kind"]
    search_fields = ["name", "districts", "head_name"]
    rich_text_fields = ("portrait",)
    autocomplete_fields = ["photo", "coat_of_arms"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        municipality = editor_municipality(request.user)
        return queryset if municipality is None else queryset.filter(pk=municipality.pk)

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    # The slug is the address every page and filter links to: not theirs to move.
    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return [*readonly, "slug"] if editor_municipality(request.user) else readonly

    def get_prepopulated_fields(self, request, obj=None):
        if editor_municipality(request.user):
            return {}
        return super().get_prepopulated_fields(request, obj)


@admin.register(Topic)
class TopicAdmin(
    PreviewAdminMixin,
    LibraryChoiceMixin,
    RichTextAdminMixin,
    GlobalContentMixin,
    admin.ModelAdmin,
):
    list_display = ["name", "position"]
    rich_text_fields = ("description",)
    autocomplete_fields = ["image"]
    list_editable = ["position"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Page)
class PageAdmin(PreviewAdminMixin, RichTextAdminMixin, GlobalContentMixin, admin.ModelAdmin):
    rich_text_fields = ("body",)
    list_display = ["title", "slug", "is_published", "position", "updated_at"]
    list_filter = ["is_published"]
    search_fields = ["title", "body"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["updated_at"]
    actions = ["publish", "unpublish"]

    @staticmethod
    def _protected(request, obj) -> bool:
        """A legal page, for someone who is not a superuser."""
        return obj is not None and obj.slug in LEGAL_PAGES and not request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        if self._protected(request, obj):
            return False
        return super().has_delete_permission(request, obj)

    # The slug identifies a legal page (renamed, it could be deleted) and its address is
    # linked in the footer; taking it offline removes it just like deleting it.
    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if self._protected(request, obj):
            readonly += ["slug", "is_published"]
        return readonly

    def get_prepopulated_fields(self, request, obj=None):
        return (
            {} if self._protected(request, obj) else super().get_prepopulated_fields(request, obj)
        )

    @admin.action(description=_("Publish selected pages"), permissions=["change"])
    def publish(self, request, queryset):
        self._set_published(request, queryset, True)

    @admin.action(description=_("Unpublish selected pages"), permissions=["change"])
    def unpublish(self, request, queryset):
        self._set_published(request, queryset, False)

    def _set_published(self, request, queryset, value):
        if not value and not request.user.is_superuser:
            skipped = queryset.filter(slug__in=LEGAL_PAGES)
            if skipped.exists():
                self.message_user(
                    request,
                    format_lazy(
                        "{}: {}",
                        _("Legal pages stay online (only administrators take them offline)"),
                        ", ".join(page.title for page in skipped),
                    ),
                    messages.WARNING,
                )
            queryset = queryset.exclude(slug__in=LEGAL_PAGES)
        pages = list(queryset.exclude(is_published=value))
        count = services.pages_set_published(pages=queryset, is_published=value)
        log_action(self, request, pages, str(_("Published: %s.") % value))
        self.message_user(
            request,
            ngettext("%d page changed.", "%d pages changed.", count) % count,
            messages.SUCCESS,
        )


if admin.site.is_registered(Redirect):
    admin.site.unregister(Redirect)


@admin.register(MenuItem)
class MenuItemAdmin(GlobalContentMixin, admin.ModelAdmin):
    """The main navigation and the footer: entries, order (position) and visibility."""

    list_display = ["__str__", "menu", "target", "position", "is_active"]
    list_display_links = ["__str__"]
    list_editable = ["position", "is_active"]
    list_filter = ["menu", "is_active"]
    list_select_related = ["page"]
    ordering = ["menu", "position", "pk"]
    fields = ["menu", "label", "page", "view_name", "url", "position", "is_active"]

    @admin.display(description=_("target"))
    def target(self, item):
        if item.page_id:
            return item.page.get_absolute_url()
        return item.url or item.get_view_name_display()


@admin.register(Redirect)
class PortalRedirectAdmin(GlobalContentMixin, RedirectAdmin):
    """Redirects only within this site, except for superusers (e.g. to a municipality's own
    website): a redirect to a stranger's site under our address is a phishing tool."""

    def get_form(self, request, obj=None, **kwargs):
        kwargs["form"] = RedirectForm if request.user.is_superuser else LocalRedirectForm
        return super().get_form(request, obj, **kwargs)


class EditorProfileInline(admin.StackedInline):
    model = EditorProfile
    can_delete = True
    extra = 0
    max_num = 1


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(GermanPermissionsMixin, UserAdmin):
    inlines = [*UserAdmin.inlines, EditorProfileInline]


# The groups' permission selector in German, too (Django's GroupAdmin otherwise).
install_german_permissions(admin.site)
