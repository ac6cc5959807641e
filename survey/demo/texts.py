"""Texts of the demo surveys: the privacy notice and the free-text answers the synthetic
responses draw from."""

PRIVACY = (
    "Die Befragung ist anonym. Wir speichern weder Ihren Namen noch Ihre IP-Adresse, Ihren "
    "Browser oder die Uhrzeit Ihrer Teilnahme – nur den Tag. Sobald Sie die erste Seite "
    "abschicken, liegen Ihre Antworten verschlüsselt in einer Sitzung auf unserem Server; ein "
    "Cookie hält diese Sitzung fest und wird nach drei Tagen gelöscht. Nach dem Absenden merkt "
    "sich ein zweites Cookie ohne Zeitangabe bis zum Ende der Befragung, dass Sie teilgenommen "
    "haben. Ihre Antworten werden gemeinsam mit denen anderer in zufälliger Reihenfolge "
    "gespeichert, damit niemand sie Ihnen, Ihrem Zugangscode oder dem Zeitpunkt zuordnen kann. "
    "Die Auswertung veröffentlichen wir "
    "nur zusammengefasst; Freitexte werden nie wörtlich ohne Prüfung veröffentlicht.\n\n"
    "Verantwortlich ist das Kooperationsmanagement Oschatzer Land, Neumarkt 1, 04758 Oschatz."
)

TEXTS_2019 = {
    "F4": [
        "Schnelles Internet in allen Ortsteilen, wir haben hier kaum 6 Mbit.",
        "Ein Radweg nach Oschatz, damit die Kinder sicher zur Schule kommen.",
        "Der Fußweg an der Hauptstraße ist eine Zumutung, dringend erneuern.",
        "Mehr für den Zusammenhalt tun: Dorffeste, Treffpunkte, Vereine stärken.",
        "Ordnung und Sauberkeit am Bahnhof und auf dem Markt.",
        "Der Spielplatz im Ortsteil muss erneuert werden.",
        "Die Freiwillige Feuerwehr braucht ein neues Fahrzeug und ein ordentliches Gerätehaus.",
        "Vereine unterstützen, vor allem die Jugendarbeit im Sportverein.",
        "Gewerbe ansiedeln, damit junge Leute hier Arbeit finden.",
        "Straßenbau: die Ortsdurchfahrt ist voller Schlaglöcher.",
        "Glasfaser bis ins Haus, Homeoffice ist sonst unmöglich.",
        "Sichere Querung der Bundesstraße für Fußgänger.",
        "Einen Treffpunkt für Jugendliche schaffen.",
        "Leerstehende Häuser im Ortskern wieder nutzbar machen.",
        "Hundekot und Müll an den Wegen – mehr Papierkörbe aufstellen.",
        "Bauplätze für junge Familien ausweisen.",
        "Der Radweg entlang der Döllnitz sollte durchgehend befahrbar sein.",
        "Einkaufsmöglichkeit im Dorf, der nächste Laden ist zu weit weg.",
        "Die Kita braucht mehr Plätze und eine Sanierung.",
        "Mehr Unterstützung für die Ehrenamtlichen im Ort.",
    ],
    "F7": [
        "Das Waldbad Schmannewitz sanieren und länger öffnen.",
        "Das Naturbad Luppa erhalten und modernisieren.",
        "Den Badeteich Bucha wieder herrichten.",
        "Ein Freibad am Platschbad in Oschatz bauen.",
        "Die Döllnitzbahn verlängern, damit sie alle Kommunen verbindet.",
        "Eine Dauerausstellung im Schloss Hubertusburg einrichten.",
        "Ein kleines Kino für die Region.",
        "Eine Eisbahn im Winter für Familien.",
        "Einen Waldfriedhof anlegen.",
        "Ein Gemeinschaftstaxi für die Dörfer, besonders für Ältere.",
        "Die S 24 ausbauen.",
        "Eine App mit allen Veranstaltungen der Region.",
        "Radwege zwischen allen sieben Kommunen.",
        "Schnelles Internet für alle Ortsteile.",
        "Spielplätze in jedem Ortsteil erneuern.",
    ],
    "F6_other": [
        "Ärztliche Versorgung",
        "Jugendarbeit",
        "Breitband",
        "Gemeinsames Amtsblatt",
        "Hausarztpraxen",
        "Schwimmbäder",
        "Einkaufen auf dem Land",
    ],
}
