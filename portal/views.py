from django.contrib import messages
from django.db.models import Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.generic import DetailView, FormView, ListView, TemplateView

from portal import selectors, services
from portal.cache_versions import content_version_one_query
from portal.caching import cache_public_page, not_shareable
from portal.forms import (
    ContactForm,
    IdeaForm,
    NewsFilterForm,
    keeps_filtered_list,
    share_choices,
)
from portal.lazy import LazyPages
from portal.maps import region_map
from portal.memo import read_content_version, remember_part
from portal.models import Municipality, NewsArticle, Page, Topic
from portal.page_context import page_context
from portal.preview import can_preview, mark_preview, wants_preview
from portal.search import SearchPage, normalize_query, search_page, search_url
from portal.spam import rate_limit_reached, rate_limited

cached = method_decorator(cache_public_page, name="dispatch")


def _pk(obj) -> int | None:
    return obj.pk if obj is not None else None


@cached
class HomeView(TemplateView):
    template_name = "portal/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Public content only, the same for every visitor: kept per worker under the
        # content version (portal.memo.remember_part), as are the teasers of other apps.
        context.update(remember_part(self.request, ("home",), self._shared_parts))
        context.update(page_context("home", request=self.request))
        return context

    @staticmethod
    def _shared_parts() -> dict:
        municipalities = list(selectors.municipality_list())
        return {
            "latest_news": selectors.news_latest(limit=3),
            "municipalities": municipalities,
            "region_map": region_map(urls={m.name: m.get_absolute_url() for m in municipalities}),
            "topics": list(selectors.topic_list()),
        }


@cached
class MunicipalityListView(ListView):
    model = Municipality
    template_name = "portal/municipality_list.html"
    context_object_name = "municipalities"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["total_population"] = self.object_list.aggregate(total=Sum("population"))["total"]
        return context


@cached
class MunicipalityDetailView(DetailView):
    queryset = Municipality.objects.select_related("photo", "coat_of_arms")
    template_name = "portal/municipality_detail.html"
    context_object_name = "municipality"

    def get_object(self, queryset=None):
        # The municipality and its news, kept per worker under the content version
        # (portal.memo.remember_part; never for signed-in staff). An unknown slug raises
        # before anything is kept.
        self.object, self.news = remember_part(
            self.request,
            ("municipality", self.kwargs["slug"]),
            lambda: self._public(queryset),
        )
        return self.object

    def _public(self, queryset) -> tuple[Municipality, list[NewsArticle]]:
        municipality = super().get_object(queryset)
        return municipality, selectors.news_for_municipality(municipality=municipality)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["news"] = self.news
        context.update(page_context("municipality", request=self.request, municipality=self.object))
        return context


@cached
class TopicListView(ListView):
    model = Topic
    template_name = "portal/topic_list.html"
    context_object_name = "topics"


@cached
class TopicDetailView(DetailView):
    queryset = Topic.objects.select_related("image")
    template_name = "portal/topic_detail.html"
    context_object_name = "topic"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["news"] = selectors.news_for_topic(topic=self.object)
        context["ideas"] = list(selectors.ideas_approved(topic=self.object)[:5])
        context.update(page_context("topic", request=self.request, topic=self.object))
        return context


class PageDetailView(DetailView):
    """A published page; staff with view permission preview unpublished ones (?vorschau)."""

    template_name = "portal/page_detail.html"
    context_object_name = "page"
    public_page_cache = True  # see get(): everything but the preview

    def get(self, request, *args, **kwargs):
        if wants_preview(request):
            response = super().get(request, *args, **kwargs)
            return mark_preview(response.render())
        return cache_public_page(super().get)(request, *args, **kwargs)

    def get_object(self, queryset=None):
        pages = Page.objects.published()
        if wants_preview(self.request) and can_preview(self.request.user, Page):
            pages = Page.objects.all()
        return get_object_or_404(pages, slug=self.kwargs["slug"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["is_preview"] = not self.object.is_published
        return context


# --- News -----------------------------------------------------------------------------------


@method_decorator(cache_public_page(params=("thema", "kommune", "seite")), name="dispatch")
class NewsListView(ListView):
    template_name = "portal/newsarticle_list.html"
    context_object_name = "articles"
    paginate_by = 10

    def get_queryset(self):
        self.filter_form = NewsFilterForm(self.request.GET or None)
        share_choices(self.request, self.filter_form, "thema", "kommune")
        filters = self.filter_form.cleaned_data if self.filter_form.is_valid() else {}
        if self.filter_form.is_bound and not filters:
            not_shareable(self.request)
        self.topic = filters.get("thema")
        self.municipality = filters.get("kommune")
        # Built and read only when the list is rendered, not when it is kept in memory.
        return LazyPages(
            lambda: selectors.news_list(topic=self.topic, municipality=self.municipality)
        )

    def paginate_queryset(self, queryset, page_size):
        # An out-of-range or garbage ?seite= shows the last/first page instead of a 404.
        paginator = self.get_paginator(queryset, page_size)
        # The number of articles under the content version (portal.memo.remember_part), so
        # a list page kept in memory (the template's {% part %}) needs no query at all: the
        # page number is made valid with it before it becomes part of a key.
        paginator.count = remember_part(
            self.request,
            ("news-count", _pk(self.topic), _pk(self.municipality)),
            queryset.count,
        )
        page = paginator.get_page(self.request.GET.get("seite"))
        if "seite" in self.request.GET and self.request.GET["seite"] != str(page.number):
            not_shareable(self.request)
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("seite", None)
        filter_query = query.urlencode()
        context.update(
            filter_form=self.filter_form,
            topic=self.topic,
            municipality=self.municipality,
            filter_query=filter_query,
            # The list is kept in memory per filter, query and page number only for the
            # filters the form offers: a value somebody typed never becomes a key.
            keep_list=keeps_filtered_list(self.filter_form, filter_query),
        )
        return context


class NewsDetailView(DetailView):
    """A public article; staff with view permission may preview drafts with ?vorschau."""

    template_name = "portal/newsarticle_detail.html"
    context_object_name = "article"
    public_page_cache = True  # see get(): everything but the preview

    def get(self, request, *args, **kwargs):
        if wants_preview(request):
            response = super().get(request, *args, **kwargs)
            return mark_preview(response.render())
        return cache_public_page(super().get)(request, *args, **kwargs)

    def get_object(self, queryset=None):
        slug = self.kwargs["slug"]
        user = self.request.user
        article = None
        if (
            "vorschau" in self.request.GET
            and user.is_staff
            and user.has_perm("portal.view_newsarticle")
        ):
            # An editor limited to one municipality previews only what the admin shows them.
            article = selectors.news_for_preview(
                slug=slug, municipality=selectors.editor_municipality(user)
            )
        if article is not None:
            self.related = selectors.news_related(article=article)
            return article
        # What everyone may see, also with ?vorschau (e.g. a published article of another
        # municipality, opened from a link that carries the parameter): the article and its
        # related articles, kept per worker under the content version (a scheduled article
        # appears, a withdrawn one vanishes with the version; portal.memo.remember_part,
        # never for signed-in staff). An unknown slug raises before anything is kept.
        article, self.related = remember_part(
            self.request, ("news-article", slug), lambda: _public_article(slug)
        )
        return article

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["is_preview"] = not self.object.is_public
        context["related"] = self.related
        return context


def _public_article(slug: str) -> tuple[NewsArticle, list[NewsArticle]]:
    article = selectors.news_detail(slug=slug)
    if article is None:
        raise Http404(_("No article found."))
    return article, selectors.news_related(article=article)


def legacy_news_redirect(request, year, month, day, slug):
    """Old WordPress addresses /YYYY/MM/DD/<slug>/ move permanently to the article."""
    article = get_object_or_404(NewsArticle.objects.published(), slug=slug)
    return redirect(article, permanent=True)


# --- Ideas and contact ----------------------------------------------------------------------


class SpamProtectedFormView(FormView):
    rate_limit_scope = ""

    def get(self, request, *args, **kwargs):
        # The blank form's fields are kept per worker under the content version
        # (portal.form_html); a POST renders what the visitor sent, nothing kept.
        read_content_version(request)
        return super().get(request, *args, **kwargs)

    @staticmethod
    def rate_limit_message() -> str:
        return _(
            "You have sent several messages in a short time. Please wait an hour and try again."
        )

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.request.method == "POST" and rate_limit_reached(
            self.request, self.rate_limit_scope
        ):
            kwargs["refusal"] = self.rate_limit_message()  # refused before any write
        return kwargs

    def form_valid(self, form):
        if form.is_spam:
            # Pretend success: a bot learns nothing; nothing is stored or sent.
            messages.success(self.request, self.success_message)
            return redirect(self.get_success_url())
        if rate_limited(self.request, self.rate_limit_scope):
            form.add_error(None, self.rate_limit_message())
            return self.form_invalid(form)
        if self.submit(form.cleaned_data) is False:
            form.add_error(None, _("Your message could not be sent. Please try again later."))
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        return redirect(self.get_success_url())


class IdeaView(SpamProtectedFormView):
    template_name = "portal/idea_list.html"
    form_class = IdeaForm
    rate_limit_scope = "idea"

    @property
    def success_message(self):
        return _("Thank you for your idea! We will read it and publish it here after review.")

    def get_success_url(self):
        return self.request.path

    def submit(self, data):
        services.idea_submit(
            title=data["title"],
            text=data["text"],
            municipality=data["municipality"],
            topic=data["topic"],
            name=data["name"],
            email=data["email"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["ideas"] = selectors.ideas_approved()[: selectors.IDEAS_ON_PAGE]
        return context


class ContactView(SpamProtectedFormView):
    template_name = "portal/contact.html"
    form_class = ContactForm
    rate_limit_scope = "contact"

    @property
    def success_message(self):
        return _("Thank you for your message. We will answer you as soon as we can.")

    def get_success_url(self):
        return self.request.path

    def submit(self, data):
        return services.contact_send(
            name=data["name"], email=data["email"], subject=data["subject"], message=data["message"]
        )


# --- Search ---------------------------------------------------------------------------------


class SearchView(TemplateView):
    """Not cached: every query differs, and caching them would let anyone fill the cache."""

    template_name = "portal/search.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = normalize_query(self.request.GET.get("q"))
        context["search_query"] = query
        if query:
            # Read for this request (one query): the results are kept per worker under it,
            # and the menus of the layout use it as well (portal.selectors.site_menus).
            version = content_version_one_query()
            self.request._content_version = version
            page = search_page(query, version=version)
        else:
            page = SearchPage(results=())
        context["search_page"] = page
        context["results"] = page.results
        context["suggestion"] = page.suggestion
        if page.suggestion:
            context["suggestion_url"] = search_url(page.suggestion)
        return context
