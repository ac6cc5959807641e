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
