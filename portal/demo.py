"""Demo content of the portal app. Municipalities, topics and the required pages come from
the data migration, so there is nothing more to add here until news arrive."""


def seed(*, stdout) -> None:
    stdout.write("portal: Kommunen, Themen und Pflichtseiten sind angelegt.")
