"""factory_boy factories shared by the whole suite."""

from datetime import date, timedelta

import factory
from django.utils import timezone

from events.models import Event, EventKind, EventPublication, Registration
from media.models import MediaFile, MediaKind
from portal.models import (
    Idea,
    IdeaStatus,
    Municipality,
    MunicipalityKind,
    NewsArticle,
    NewsStatus,
    Page,
    Topic,
)
from survey.models import (
    AccessCode,
    Answer,
    Channel,
    MatrixItem,
    Option,
    Question,
    QuestionKind,
    Response,
    Section,
    Survey,
    SurveyStatus,
)


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Testgemeinde {n}")
    slug = factory.Sequence(lambda n: f"testgemeinde-{n}")
    kind = MunicipalityKind.MUNICIPALITY
    population = 1234
    population_as_of = date(2019, 12, 31)
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


class EventFactory(factory.django.DjangoModelFactory):
    """A planned event two weeks ahead, 18:00–20:00 Berlin time, without registration."""

    class Meta:
        model = Event
        django_get_or_create = ("slug",)

    title = factory.Sequence(lambda n: f"Kommunalforum Test {n}")
    slug = factory.Sequence(lambda n: f"kommunalforum-test-{n}")
    kind = EventKind.MUNICIPAL_FORUM
    starts_at = factory.LazyFunction(
        lambda: (timezone.localtime() + timedelta(days=14)).replace(
            hour=18, minute=0, second=0, microsecond=0
        )
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
    venue_name = "Rathaus, Ratssaal"
    address = "Markt 1, 04758 Teststadt"
    municipality = factory.SubFactory(MunicipalityFactory)
    description = "<p>Ein Forum für alle.</p>"
    publication = EventPublication.PUBLISHED


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory, takes_registrations=True, capacity=20)
    name = factory.Sequence(lambda n: f"Jörg Müller {n}")
    email = factory.Sequence(lambda n: f"person{n}@example.org")
    persons = 1
    status = "confirmed"


# --- media library ------------------------------------------------------------------------


class MediaFileFactory(factory.django.DjangoModelFactory):
    """A library image whose file need not exist (its name is enough for addresses)."""

    class Meta:
        model = MediaFile

    kind = MediaKind.IMAGE
    title = factory.Sequence(lambda n: f"Bild {n}")
    file = factory.Sequence(lambda n: f"library/bild{n}.jpg")
    alt_text = "Ein Bild der Region"
    width = 1200
    height = 800
    file_type = "jpg"


# --- portal: news and ideas ---------------------------------------------------------------


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


# === survey ===================================================================================


class SurveyFactory(factory.django.DjangoModelFactory):
    """An open survey that runs from yesterday for four weeks."""

    class Meta:
        model = Survey
        django_get_or_create = ("slug",)

    title = factory.Sequence(lambda n: f"Befragung {n}")
    slug = factory.Sequence(lambda n: f"befragung-{n}")
    intro = "Bitte nehmen Sie teil."
    privacy_notice = "Wir speichern keine IP-Adresse."
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=28))
    status = SurveyStatus.OPEN


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    survey = factory.SubFactory(SurveyFactory)
    title = factory.Sequence(lambda n: f"Seite {n}")
    position = factory.Sequence(lambda n: n)


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    section = factory.SubFactory(SectionFactory)
    survey = factory.SelfAttribute("section.survey")
    code = factory.Sequence(lambda n: f"F{n}")
    kind = QuestionKind.SINGLE
    text = factory.Sequence(lambda n: f"Frage {n}?")
    position = factory.Sequence(lambda n: n)


class OptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Option

    question = factory.SubFactory(QuestionFactory)
    label = factory.Sequence(lambda n: f"Antwort {n}")
    value = factory.Sequence(lambda n: n + 1)
    position = factory.Sequence(lambda n: n)


class MatrixItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MatrixItem

    question = factory.SubFactory(QuestionFactory, kind=QuestionKind.MATRIX)
    label = factory.Sequence(lambda n: f"Aspekt {n}")
    position = factory.Sequence(lambda n: n)


class ResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Response

    survey = factory.SubFactory(SurveyFactory)
    channel = Channel.ONLINE
    submitted_on = factory.LazyFunction(timezone.localdate)


class AnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Answer

    response = factory.SubFactory(ResponseFactory)
    question = factory.SubFactory(QuestionFactory)


class AccessCodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccessCode

    survey = factory.SubFactory(SurveyFactory, access_mode="codes")
    code = factory.Sequence(lambda n: f"TEST{n:04d}")


class UserFactory(factory.django.DjangoModelFactory):
    """A user; ``permissions=["survey.enter_paper_response"]`` grants permissions."""

    class Meta:
        model = "auth.User"
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"mitarbeiterin{n}")
    password = factory.django.Password("Ein-sicheres-Passwort-2026")

    @factory.post_generation
    def permissions(self, create, extracted, **kwargs):
        from django.contrib.auth.models import Permission

        for name in extracted or []:
            app_label, codename = name.split(".")
            self.user_permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
