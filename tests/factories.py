"""factory_boy factories shared by the whole suite."""

import factory

from portal.models import Municipality, MunicipalityKind, Page, Topic


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Testgemeinde {n}")
    slug = factory.Sequence(lambda n: f"testgemeinde-{n}")
    kind = MunicipalityKind.MUNICIPALITY
    population = 1234
    population_as_of = "2019"
    districts = "Nord\nSüd"
    seat = "Nord"
    admin_address = "Markt 1, 04758 Testgemeinde"
    head_title = "Bürgermeisterin"
    head_name = "Erika Muster"


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Testthema {n}")
    slug = factory.Sequence(lambda n: f"testthema-{n}")
    description = "Ein Thema für Tests."


class PageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Page
        django_get_or_create = ("slug",)

    title = factory.Sequence(lambda n: f"Seite {n}")
    slug = factory.Sequence(lambda n: f"seite-{n}")
    body = "<p>Inhalt</p>"


# --- events -------------------------------------------------------------------------------
import datetime as _dt  # noqa: E402 (kept in this app's own section for easy merging)

from django.utils import timezone as _tz  # noqa: E402

from events.models import Event, EventKind, Registration  # noqa: E402


class EventFactory(factory.django.DjangoModelFactory):
    """A planned event two weeks ahead, 18:00–20:00 Berlin time, without registration."""

    class Meta:
        model = Event
        django_get_or_create = ("slug",)

    title = factory.Sequence(lambda n: f"Kommunalforum Test {n}")
    slug = factory.Sequence(lambda n: f"kommunalforum-test-{n}")
    kind = EventKind.MUNICIPAL_FORUM
    starts_at = factory.LazyFunction(
        lambda: (_tz.localtime() + _dt.timedelta(days=14)).replace(
            hour=18, minute=0, second=0, microsecond=0
        )
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + _dt.timedelta(hours=2))
    venue_name = "Rathaus, Ratssaal"
    address = "Markt 1, 04758 Teststadt"
    municipality = factory.SubFactory(MunicipalityFactory)
    description = "<p>Ein Forum für alle.</p>"


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory, takes_registrations=True, capacity=20)
    name = factory.Sequence(lambda n: f"Jörg Müller {n}")
    email = factory.Sequence(lambda n: f"person{n}@example.org")
    persons = 1
    status = "confirmed"


# --- portal: news and ideas ---------------------------------------------------------------

from datetime import timedelta  # noqa: E402 -- kept with the section it belongs to

from django.utils import timezone  # noqa: E402

from portal.models import Idea, IdeaStatus, NewsArticle, NewsStatus  # noqa: E402


class NewsArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NewsArticle
        django_get_or_create = ("slug",)

    title = factory.Sequence(lambda n: f"Beitrag {n}")
    slug = factory.Sequence(lambda n: f"beitrag-{n}")
    teaser = "Ein kurzer Anreißer."
    body = "<p>Text des Beitrags.</p>"
    status = NewsStatus.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))

    class Params:
        draft = factory.Trait(status=NewsStatus.DRAFT)
        scheduled = factory.Trait(
            published_at=factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
        )


class IdeaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Idea

    title = factory.Sequence(lambda n: f"Idee {n}")
    text = "Ein Spielplatz am Dorfteich."
    name = "Anna"
    email = "anna@example.org"
    status = IdeaStatus.NEW
