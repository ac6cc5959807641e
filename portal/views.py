from django.db.models import Sum
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView, TemplateView

from portal import selectors
from portal.models import Municipality, Page, Topic


class HomeView(TemplateView):
    template_name = "portal/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["municipalities"] = selectors.municipality_list()
        context["topics"] = selectors.topic_list()
        return context


class MunicipalityListView(ListView):
    model = Municipality
    template_name = "portal/municipality_list.html"
    context_object_name = "municipalities"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["total_population"] = self.object_list.aggregate(total=Sum("population"))["total"]
        return context


class MunicipalityDetailView(DetailView):
    model = Municipality
    template_name = "portal/municipality_detail.html"
    context_object_name = "municipality"


class TopicListView(ListView):
    model = Topic
    template_name = "portal/topic_list.html"
    context_object_name = "topics"


class TopicDetailView(DetailView):
    model = Topic
    template_name = "portal/topic_detail.html"
    context_object_name = "topic"


class PageDetailView(DetailView):
    template_name = "portal/page_detail.html"
    context_object_name = "page"

    def get_object(self, queryset=None):
        return get_object_or_404(Page.objects.published(), slug=self.kwargs["slug"])
