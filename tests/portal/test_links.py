"""Object addresses are remembered per process (``portal.links.reverse_cached``); they must
still be right when the script prefix or the URL configuration differs."""

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix

from portal.links import reverse_cached
from portal.models import Municipality

pytestmark = pytest.mark.django_db


def test_the_same_address_as_reverse():
    assert reverse_cached("portal:topic_detail", slug="bildung") == reverse(
        "portal:topic_detail", kwargs={"slug": "bildung"}
    )
    for municipality in Municipality.objects.all():
        expected = reverse("portal:municipality_detail", kwargs={"slug": municipality.slug})
        assert municipality.get_absolute_url() == expected


def test_a_site_below_a_path_gets_its_own_address():
    """Attack: the first address computed (under "/") served to a site below /portal/."""
    assert reverse_cached("portal:topic_detail", slug="bildung") == "/themen/bildung/"
    set_script_prefix("/portal/")
    try:
        assert reverse_cached("portal:topic_detail", slug="bildung") == "/portal/themen/bildung/"
    finally:
        set_script_prefix("/")
    assert reverse_cached("portal:topic_detail", slug="bildung") == "/themen/bildung/"


def test_another_url_configuration_is_not_served_the_remembered_address(settings):
    assert reverse_cached("portal:topic_detail", slug="bildung") == "/themen/bildung/"
    settings.ROOT_URLCONF = "bench.urls"
    with pytest.raises(NoReverseMatch):
        reverse_cached("portal:topic_detail", slug="bildung")


def test_unknown_names_raise_like_reverse():
    with pytest.raises(NoReverseMatch):
        reverse_cached("portal:nothing_here", slug="x")
