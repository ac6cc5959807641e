"""Every command in the README's cron block exists and runs."""

import re
import shlex
from pathlib import Path

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

README = Path(__file__).resolve().parent.parent.parent / "README.md"


def cron_commands() -> list[list[str]]:
    section = README.read_text().split("### Cron-Jobs", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    commands = []
    for line in block.splitlines():
        words = shlex.split(line.split("#", 1)[0])
        if words[:2] == ["python", "manage.py"]:
            commands.append(words[2:])
    return commands


def test_readme_lists_cron_jobs():
    commands = cron_commands()
    for command in ["clearsessions", "purge_registrations", "survey_delete_raw_data"]:
        assert [command] in commands


@pytest.mark.parametrize("command", cron_commands(), ids=" ".join)
def test_cron_job_runs(command, capsys):
    call_command(*command)
