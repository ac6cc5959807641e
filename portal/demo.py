"""Demo content of the portal app: news about the real history of the cooperation (the
Bürgerbefragung 2019, whose demo survey is in survey/demo.py), one draft, one scheduled
article and a few moderated ideas.
Municipalities, topics and the required pages come from the data migration. Idempotent."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from media.demo import demo_image
from portal.models import Idea, IdeaStatus, Municipality, NewsArticle, NewsStatus, Topic

BERLIN = ZoneInfo("Europe/Berlin")
ALL = ["cavertitz", "dahlen", "liebschuetzberg", "muegeln", "naundorf", "oschatz", "wermsdorf"]


def _at(year, month, day, hour=10):
    return datetime(year, month, day, hour, tzinfo=BERLIN)


NEWS = [
    {
        "slug": "buergerbefragung-2019-gestartet",
        "title": "Bürgerbefragung 2019 gestartet: Ihre Meinung zählt",
        "teaser": "Sechs Wochen lang fragen die sieben Kommunen des Oschatzer Landes, was sich "
        "in Ihrem Ort ändern soll – online auf diesem Portal und auf Papier.",
        "body": "<p>Die Bürgerbefragung ist der erste öffentliche Beteiligungsschritt des "
        "gemeinsamen Entwicklungskonzepts. Den Fragebogen finden Sie online und als "
        "Beilage in den Amtsblättern, zum Beispiel im <em>Collm-Boten</em>.</p>"
        "<p>Ausgefüllte Papierbögen geben Sie in Ihrer Gemeindeverwaltung ab.</p>",
        "published_at": _at(2019, 6, 17),
        "municipalities": ALL,
        "topics": [],
    },
    {
        "slug": "zwischenstand-buergerbefragung",
        "title": "Zwischenstand: Schon viele Antworten zur Bürgerbefragung",
        "teaser": "Nach vier Wochen liegt eine erste Zwischenauswertung vor. Besonders oft "
        "genannt: schnelles Internet, Radwege und der Zusammenhalt im Ort.",
        "body": "<p>Die Zwischenauswertung zeigt: Viele wünschen sich sichere <strong>Radwege"
        "</strong> zwischen den Orten, eine bessere Internetanbindung und Unterstützung "
        "für Vereine.</p><p>Noch zwei Wochen können Sie mitmachen.</p>",
        "published_at": _at(2019, 7, 15),
        "municipalities": ALL,
        "topics": ["radverkehr", "infrastruktur"],
    },
    {
        "slug": "ergebnisse-buergerbefragung-online",
        "title": "Ergebnisse der Bürgerbefragung sind online",
        "teaser": "356 Menschen haben teilgenommen. Die Ergebnisse stehen jetzt für jede "
        "Kommune und für die ganze Region auf dem Portal.",
        "body": "<p>Die Auswertung gliedert sich in drei Teile: Soziodemographie, "
        "gemeindebezogene Auswertungen und die Ebene des Kooperationsraumes.</p>"
        "<h2>Was tun mit einer Million Euro?</h2><p>Genannt wurden unter anderem bessere "
        "Badestellen, eine längere Strecke der Döllnitzbahn und eine Ausstellung im "
        "Schloss Hubertusburg.</p>",
        "published_at": _at(2019, 10, 1),
        "municipalities": ALL,
        "topics": ["doellnitzbahn", "tourismus-naherholung-kultur"],
    },
    {
        "slug": "einladung-1-regionalforum",
        "title": "Einladung zum 1. Regionalforum in der Stadthalle Oschatz",
        "teaser": "Am Montag, 4. November 2019, stellen wir die Ergebnisse der Befragung vor "
        "und arbeiten gemeinsam an den Themen der Region weiter.",
        "body": "<p>Im Regionalforum besuchen Sie in kleinen Gruppen fünf Marktstände und "
        "wählen drei der 14 Themenfelder zur Vertiefung. Außerdem stimmen Sie über die "
        "Entwürfe für ein gemeinsames Logo ab.</p>",
        "published_at": _at(2019, 10, 14),
        "municipalities": ["oschatz"],
        "topics": [],
    },
    {
        "slug": "rueckblick-1-regionalforum",
        "title": "Rückblick: Rund 80 Gäste beim 1. Regionalforum",
        "teaser": "Verwaltung, Bürgerinnen und Bürger sowie Gemeinderäte diskutierten in der "
        "Stadthalle Oschatz. Radverkehr und ÖPNV wurden am häufigsten gewählt.",
        "body": "<p>An fünf Marktständen arbeiteten die Gruppen je zwölf Minuten. Am "
        "häufigsten vertieft wurden der <strong>Radverkehr</strong> und der "
        "<strong>ÖPNV</strong>.</p><p>Das Motto der Kooperation: „Gemeinsam, natürlich und "
        "stark“.</p>",
        "published_at": _at(2019, 11, 6),
        "municipalities": ["oschatz"],
        "topics": ["radverkehr", "oepnv"],
    },
    {
        "slug": "buergerforum-collm-abgesagt",
        "title": "Bürgerforum in Collm abgesagt",
        "teaser": "Wegen der Pandemie findet das für November 2020 geplante Bürgerforum in "
        "Collm nicht statt. Wir informieren über einen neuen Termin.",
        "body": "<p>Die Kommunalforen sollen die Ergebnisse der Befragung vor Ort vertiefen. "
        "Das Forum in Collm holen wir nach, sobald es die Lage erlaubt.</p>",
        "published_at": _at(2020, 10, 28),
        "municipalities": ["wermsdorf"],
        "topics": [],
    },
    {
        "slug": "foerderbescheid-sozialer-zusammenhalt",
        "title": "Förderbescheid für „Sozialer Zusammenhalt“ übergeben",
        "teaser": "Am 18. Oktober 2021 erhielt die Kooperation den Förderbescheid aus dem "
        "Bund-Länder-Programm „Sozialer Zusammenhalt“.",
        "body": "<p>Mit der Förderung können erste Schlüsselmaßnahmen aus dem "
        "Entwicklungskonzept umgesetzt werden, etwa Treffpunkte für Jung und Alt.</p>",
        "published_at": _at(2021, 10, 19),
        "municipalities": ALL,
        "topics": ["seniorenbetreuung", "wirtschaft"],
    },
    {
        "slug": "kommunalforen-in-allen-sieben-kommunen",
        "title": "Kommunalforen in allen sieben Kommunen",
        "teaser": "In jeder Kommune sprechen wir über die Ergebnisse vor Ort: von Radwegen in "
        "Liebschützberg bis zur Feuerwehr in Cavertitz.",
        "body": "<p>Die Kommunalforen greifen die gemeindebezogenen Ergebnisse der "
        "Befragung auf. Die Termine finden Sie im Veranstaltungskalender.</p>",
        "published_at": _at(2022, 3, 1),
        "municipalities": ALL,
        "topics": ["radverkehr", "feuerwehr"],
    },
    {
        "slug": "entwurf-radwegekonzept",
        "title": "Entwurf: Radwegekonzept für das Oschatzer Land",
        "teaser": "Noch nicht veröffentlicht – ein Entwurf der Redaktion.",
        "body": "<p>Dieser Beitrag ist ein Entwurf.</p>",
        "published_at": _at(2022, 5, 1),
        "status": NewsStatus.DRAFT,
        "municipalities": ALL,
        "topics": ["radverkehr"],
    },
]

IDEAS = [
    {
        "title": "Radweg zwischen Mügeln und Oschatz",
        "text": "Ein sicherer Radweg entlang der Döllnitz würde vielen Schülern helfen.",
        "municipality": "muegeln",
        "topic": "radverkehr",
        "name": "Anna",
        "reply": "Danke! Der Radweg ist Teil des Radwegekonzepts, das wir gerade erarbeiten.",
    },
    {
        "title": "Gemeinsamer Veranstaltungskalender",
        "text": "Eine Übersicht aller Feste und Konzerte der Region an einem Ort.",
        "municipality": None,
        "topic": "tourismus-naherholung-kultur",
        "name": "",
        "reply": "",
    },
]


def seed(*, stdout) -> None:
    municipalities = {m.slug: m for m in Municipality.objects.all()}
    topics = {t.slug: t for t in Topic.objects.all()}
    articles = [*NEWS, _scheduled()]
    for data in articles:
        data = dict(data)
        place_slugs = data.pop("municipalities")
        topic_slugs = data.pop("topics")
        data.setdefault("status", NewsStatus.PUBLISHED)
        article, created = NewsArticle.objects.get_or_create(slug=data.pop("slug"), defaults=data)
        if created:
            article.municipalities.set([municipalities[s] for s in place_slugs])
            article.topics.set([topics[s] for s in topic_slugs])
    for data in IDEAS:
        Idea.objects.get_or_create(
            title=data["title"],
            defaults={
                "text": data["text"],
                "municipality": municipalities.get(data["municipality"] or ""),
                "topic": topics.get(data["topic"]),
                "name": data["name"],
                "status": IdeaStatus.APPROVED,
                "reply": data["reply"],
                "replied_at": timezone.now() if data["reply"] else None,
            },
        )
    _seed_images(municipalities, topics)
    stdout.write(f"portal: {len(articles)} Beiträge (1 Entwurf, 1 geplant), {len(IDEAS)} Ideen.")


def _seed_images(municipalities, topics) -> None:
    """Drawn demo images (media.demo), each used once or more; staff choices are kept."""
    hills = demo_image(
        title="Demo: Hügelland am Collm",
        alt_text="Gezeichnete Landschaft: grüne Hügel, Bäume und ein Kirchturm unter der Sonne",
        caption="Das Hügelland zwischen Oschatz und Wermsdorf (Demo-Grafik)",
        seed=1,
    )
    evening = demo_image(
        title="Demo: Abend über dem Döllnitztal",
        alt_text="Gezeichnete Abendlandschaft mit Feldern, Bäumen und einem Kirchturm",
        seed=7,
        sky="evening",
    )
    morning = demo_image(
        title="Demo: Morgen in Oschatz",
        alt_text="Gezeichnete Morgenlandschaft mit Kirchturm hinter Hügeln",
        seed=3,
        sky="morning",
    )
    for slug, image in (
        ("kommunalforen-in-allen-sieben-kommunen", morning),
        ("rueckblick-1-regionalforum", evening),
        ("ergebnisse-buergerbefragung-online", hills),
    ):
        NewsArticle.objects.filter(slug=slug, image__isnull=True).update(image=image)
    Municipality.objects.filter(slug="oschatz", photo__isnull=True).update(photo=morning)
    Topic.objects.filter(slug="tourismus-naherholung-kultur", image__isnull=True).update(
        image=hills
    )


def _scheduled() -> dict:
    return {
        "slug": "naechstes-regionalforum-angekuendigt",
        "title": "Nächstes Regionalforum angekündigt",
        "teaser": "Ein geplanter Beitrag: er erscheint erst an seinem Veröffentlichungsdatum.",
        "body": "<p>Die Einladung folgt.</p>",
        "published_at": timezone.now() + timedelta(days=30),
        "municipalities": ALL,
        "topics": [],
    }
