"""Reads for the portal pages; query shapes are decided here."""

from django.db.models import QuerySet

from portal.models import Municipality, Page, Topic


def municipality_list() -> QuerySet[Municipality]:
    return Municipality.objects.all()


def topic_list() -> QuerySet[Topic]:
    return Topic.objects.all()


def footer_pages() -> QuerySet[Page]:
    return Page.objects.in_navigation()
