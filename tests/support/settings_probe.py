"""Run only by name, in a pytest of its own (tests/test_test_support.py): which settings did the suite get?"""

from django.conf import settings

from tests.support.processes import subprocess_env


def test_the_suite_and_its_subprocesses_run_on_the_test_settings():
    assert settings.SETTINGS_MODULE == "vividly.settings.test"
    assert subprocess_env()["DJANGO_SETTINGS_MODULE"] == "vividly.settings.test"
