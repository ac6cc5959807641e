"""Demo events: the real 1st Regionalforum of 2019, the forum in Collm cancelled in 2020 and
upcoming municipal forums, a workshop and an online participation. Idempotent: events are
found by slug and updated; demo registrations are only added where none exist."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile

from events.models import (
    Event,
    EventDocument,
    EventKind,
    EventPublication,
    EventStatus,
    Registration,
)
from media.models import MediaFile
from portal.models import Municipality, Topic
from survey.models import Survey

BERLIN = ZoneInfo("Europe/Berlin")


def _at(year, month, day, hour, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


REGIONALFORUM_RESULTS = """
<p>Rund 80 Bürgerinnen und Bürger, Gemeinderätinnen und Gemeinderäte sowie Beschäftigte der
Verwaltungen kamen am 4. November 2019 in die Stadthalle Oschatz. Zu Beginn wurden die
Ergebnisse der Bürgerbefragung vom Sommer 2019 vorgestellt, an der sich 356 Menschen beteiligt
hatten.</p>
<h3>Marktstände</h3>
<p>An fünf Marktständen stellten die Kommunen und das Planungsbüro Ergebnisse und erste Ideen
vor. Die Teilnehmenden gingen in Gruppen von Stand zu Stand, je 12 Minuten, und hielten ihre
Hinweise auf Pinnwänden fest.</p>
<h3>Themengruppen</h3>
<p>Jede Gruppe wählte drei der 14 Themenfelder zur Vertiefung. Am häufigsten gewählt wurden
<strong>Radverkehr</strong> und <strong>ÖPNV</strong>: sichere Radwege zwischen den Orten und
bessere Bus- und Bahnverbindungen ohne eigenes Auto.</p>
<h3>Logo-Abstimmung</h3>
<p>Zum Schluss stimmten die Anwesenden mit Wahlurnen über die Entwürfe für ein gemeinsames Logo
der Kooperation ab. Das Ergebnis fließt in die Gestaltung des Auftritts „Gemeinsam, natürlich
und stark“ ein.</p>
""".strip()

EVENTS = [
    {
        "slug": "1-regionalforum-2019",
        "title": "1. Regionalforum Oschatzer Land",
        "kind": EventKind.REGIONAL_FORUM,
        "status": EventStatus.PLANNED,
        "starts_at": _at(2019, 11, 4, 18),
        "ends_at": _at(2019, 11, 4, 21),
        "venue_name": "Stadthalle Oschatz",
        "address": "04758 Oschatz",
        "municipality": "oschatz",
        "venue_accessibility": "Saal im Erdgeschoss, stufenlos erreichbar; "
        "barrierefreies WC vorhanden.",
        "description": "<p>Das erste Regionalforum der Kooperation: Ergebnisse der "
        "Bürgerbefragung, Marktstände zu den Themenfeldern und die Wahl eines gemeinsamen "
        "Logos. Eingeladen sind alle Bürgerinnen und Bürger der sieben Kommunen.</p>",
        "topics": ["radverkehr", "oepnv", "tourismus-naherholung-kultur"],
        "results": REGIONALFORUM_RESULTS,
    },
    {
        "slug": "buergerforum-collm-2020",
        "title": "Bürgerforum in Collm",
        "kind": EventKind.MUNICIPAL_FORUM,
        "status": EventStatus.CANCELLED,
        "status_note": "Wegen der Corona-Pandemie abgesagt.",
        "starts_at": _at(2020, 11, 12, 19),
        "ends_at": _at(2020, 11, 12, 21),
        "venue_name": "Dorfgemeinschaftshaus Collm",
        "address": "Collm, 04779 Wermsdorf",
        "municipality": "wermsdorf",
        "description": "<p>Das Kommunalforum für Wermsdorf sollte die Ergebnisse der "
        "Bürgerbefragung für die Gemeinde vertiefen.</p>",
        "topics": ["natur-umwelt-klimaschutz", "tourismus-naherholung-kultur"],
    },
    {
        "slug": "kommunalforum-muegeln-2026",
        "title": "Kommunalforum Mügeln",
        "kind": EventKind.MUNICIPAL_FORUM,
        "status": EventStatus.PLANNED,
        "starts_at": _at(2026, 12, 3, 18, 30),
        "ends_at": _at(2026, 12, 3, 20, 30),
        "venue_name": "Rathaus Mügeln, Ratssaal",
        "address": "Markt 1, 04769 Mügeln",
        "municipality": "muegeln",
        "venue_accessibility": "Aufzug vorhanden; Induktionsschleife im Ratssaal.",
        "transit_stop": "Bushaltestelle Mügeln, Markt, direkt vor dem Rathaus",
        # The market square of Mügeln (the town hall, Markt 1).
        "latitude": Decimal("51.23610"),
        "longitude": Decimal("13.04690"),
        "description": "<p>Was muss in Mügeln und seinen Ortsteilen zuerst angepackt werden? "
        "Wir stellen die Ergebnisse der Befragung für Mügeln vor und sammeln Vorschläge.</p>",
        "topics": ["infrastruktur", "doellnitzbahn"],
        "takes_registrations": True,
        "capacity": 60,
        "demo_registrations": [("Jana Richter", 2), ("Thomas Berger", 1), ("Sabine Krause", 3)],
    },
    {
        "slug": "kommunalforum-dahlen-2026",
        "title": "Kommunalforum Dahlen",
        "kind": EventKind.MUNICIPAL_FORUM,
        "status": EventStatus.CANCELLED,
        "status_note": "Der Saal steht nicht zur Verfügung; ein neuer Termin folgt im Frühjahr.",
        "starts_at": _at(2026, 12, 15, 18),
        "ends_at": _at(2026, 12, 15, 20),
        "venue_name": "Schloss Dahlen, Remise",
        "address": "04774 Dahlen",
        "municipality": "dahlen",
        "description": "<p>Kommunalforum zu den Ergebnissen der Bürgerbefragung in Dahlen.</p>",
        "topics": ["tourismus-naherholung-kultur", "wirtschaft"],
        "takes_registrations": True,
        "capacity": 50,
    },
    {
        "slug": "kommunalforum-oschatz-2027",
        "title": "Kommunalforum Oschatz",
        "kind": EventKind.MUNICIPAL_FORUM,
        "status": EventStatus.PLANNED,
        "starts_at": _at(2027, 1, 20, 18),
        "ends_at": _at(2027, 1, 20, 20, 30),
        "venue_name": "Stadthalle Oschatz",
        "address": "04758 Oschatz",
        "municipality": "oschatz",
        "venue_accessibility": "Stufenlos erreichbar; barrierefreies WC; "
        "Behindertenparkplätze am Eingang.",
        "description": "<p>Die Ergebnisse der Befragung für die Große Kreisstadt Oschatz und "
        "ihre Ortsteile: was gut läuft, was fehlt und was zuerst kommen soll.</p>",
        "topics": ["radverkehr", "oepnv", "bauland"],
        "takes_registrations": True,
        "capacity": 40,
        "registration_deadline": _at(2027, 1, 13, 23, 59),
        # Nearly full: 37 of 40 places taken.
        "demo_registrations": [
            ("Familie Hoffmann", 4),
            ("Peter Schulze", 2),
            ("Monika Lehmann", 1),
            ("Heimatverein Zschöllau", 6),
            ("Andrea Köhler", 2),
            ("Uwe Neumann", 1),
            ("Karin Fischer", 3),
            ("Jörg Wagner", 2),
            ("Ortschaftsrat Leuben", 5),
            ("Steffi Günther", 2),
            ("Frank Schröder", 1),
            ("Ute Böhme", 2),
            ("Lutz Walther", 3),
            ("Ines Franke", 3),
        ],
    },
    {
        "slug": "kommunalforum-liebschuetzberg-2027",
        "title": "Kommunalforum Liebschützberg",
        "kind": EventKind.MUNICIPAL_FORUM,
        "status": EventStatus.POSTPONED,
        "status_note": "Verschoben auf das Frühjahr 2027; der neue Termin wird hier bekannt "
        "gegeben.",
        "starts_at": _at(2027, 2, 10, 18),
        "ends_at": _at(2027, 2, 10, 20),
        "venue_name": "Gemeindeverwaltung Liebschützberg",
        "address": "04758 Liebschützberg",
        "municipality": "liebschuetzberg",
        "description": "<p>Kommunalforum zu den Ergebnissen der Befragung in Liebschützberg.</p>",
        "topics": ["kinderbetreuung", "feuerwehr"],
        "takes_registrations": True,
        "capacity": 40,
    },
    {
        "slug": "kommunalforum-naundorf-2027",
        "title": "Kommunalforum Naundorf",
        "kind": EventKind.MUNICIPAL_FORUM,
        "status": EventStatus.PLANNED,
        "starts_at": _at(2027, 3, 11, 18),
        "ends_at": _at(2027, 3, 11, 20),
        "venue_name": "Gemeindezentrum Naundorf",
        "address": "04769 Naundorf",
        "municipality": "naundorf",
        "venue_accessibility": "Erdgeschoss, stufenlos erreichbar.",
        "description": "<p>Kommunalforum zu den Ergebnissen der Befragung in Naundorf.</p>",
        "topics": ["seniorenbetreuung", "oepnv"],
        "takes_registrations": True,
        "capacity": 45,
        "registration_deadline": _at(2027, 3, 4, 23, 59),
    },
    {
        "slug": "workshop-radverkehr-oepnv-2027",
        "title": "Workshop Radverkehr und ÖPNV",
        "kind": EventKind.WORKSHOP,
        "status": EventStatus.PLANNED,
        "starts_at": _at(2027, 2, 20, 10),
        "ends_at": _at(2027, 2, 20, 14),
        "venue_name": "Gasthof Cavertitz, Saal",
        "address": "04758 Cavertitz",
        "municipality": "cavertitz",
        "venue_accessibility": "Saal über eine Rampe erreichbar.",
        "description": "<p>Radverkehr und ÖPNV wurden im 1. Regionalforum am häufigsten "
        "gewählt. Im Workshop arbeiten wir mit Karten an Lücken im Radwegenetz und an "
        "Busverbindungen zwischen den Orten.</p>",
        "topics": ["radverkehr", "oepnv"],
        "takes_registrations": True,
        "capacity": 25,
    },
    {
        "slug": "online-beteiligung-doellnitzbahn-2027",
        "title": "Online-Beteiligung: Ideen für die Döllnitzbahn",
        "kind": EventKind.ONLINE,
        "status": EventStatus.PLANNED,
        "starts_at": _at(2027, 1, 11, 8),
        "ends_at": _at(2027, 2, 28, 23, 59),
        "description": "<p>Wie kann die Schmalspurbahn „Wilder Robert“ die Kommunen besser "
        "verbinden? Sechs Wochen lang sammeln wir online Ideen, von einer längeren Strecke bis "
        "zu Angeboten für Gäste.</p>",
        "topics": ["doellnitzbahn", "tourismus-naherholung-kultur"],
    },
    {
        # A draft: only staff see it (admin, preview); it shows the staff start page.
        "slug": "werkstatt-dorfladen-2027",
        "title": "Werkstatt Dorfladen und Nahversorgung",
        "kind": EventKind.WORKSHOP,
        "status": EventStatus.PLANNED,
        "publication": EventPublication.DRAFT,
        "starts_at": _at(2027, 4, 15, 18),
        "ends_at": _at(2027, 4, 15, 20, 30),
        "venue_name": "Rittergut Naundorf, Saal",
        "address": "04769 Naundorf",
        "municipality": "naundorf",
        "description": "<p>Entwurf: Wie kommt der Dorfladen in die Ortsteile? Gemeinsam mit "
        "Händlern und Ortschaftsräten.</p>",
        "topics": ["oepnv"],
    },
]


def _pdf(text: str) -> bytes:
    """A small valid one-page PDF with a line of text (for the demo download)."""
    stream = f"BT /F1 18 Tf 72 760 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def seed(*, stdout) -> None:
    municipalities = {m.slug: m for m in Municipality.objects.all()}
    topics = {t.slug: t for t in Topic.objects.all()}
    for spec in EVENTS:
        data = dict(spec)
        slug = data.pop("slug")
        topic_slugs = data.pop("topics", [])
        demo_registrations = data.pop("demo_registrations", [])
        municipality = data.pop("municipality", None)
        data["municipality"] = municipalities.get(municipality) if municipality else None
        data.setdefault("publication", EventPublication.PUBLISHED)
        # get_or_create: a second run changes nothing, and staff edits of demo events stay.
        event, created = Event.objects.get_or_create(slug=slug, defaults=data)
        if created:
            event.topics.set([topics[s] for s in topic_slugs if s in topics])
        if demo_registrations and not event.registrations.exists():
            start = event.starts_at - timedelta(days=30)
            Registration.objects.bulk_create(
                Registration(
                    event=event,
                    name=name,
                    email=f"anmeldung{number}.{slug}@example.org",
                    persons=persons,
                    status="confirmed",
                    created_at=start + timedelta(hours=number * 7),
                )
                for number, (name, persons) in enumerate(demo_registrations, start=1)
            )
    forum = Event.objects.get(slug="1-regionalforum-2019")
    # The same library image as the news article on the results (uploaded once, used twice).
    evening = MediaFile.objects.filter(title="Demo: Abend über dem Döllnitztal").first()
    if evening and forum.image_id is None:
        Event.objects.filter(pk=forum.pk).update(image=evening)
    if not forum.documents.exists():
        document = EventDocument(event=forum, title="Ergebnisprotokoll des 1. Regionalforums")
        document.file.save(
            "ergebnisprotokoll-1-regionalforum.pdf",
            ContentFile(_pdf("Ergebnisprotokoll 1. Regionalforum, 4.11.2019")),
        )
    # The forum presented the results of the 2019 survey (seeded by the survey app before).
    if forum.related_survey_id is None:
        forum.related_survey = Survey.objects.filter(slug="buergerbefragung-2019").first()
        forum.save(update_fields=["related_survey"])
    stdout.write(f"events: {len(EVENTS)} Termine angelegt oder aktualisiert.")
