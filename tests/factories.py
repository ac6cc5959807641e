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
