"""The Dockerfile's build steps, run outside Docker: the image would build and start."""

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_image_build_steps_pass_and_the_installed_package_carries_frameworks_and_locales(tmp_path):
    result = subprocess.run(
        [str(ROOT / "tools" / "docker-steps.sh"), str(tmp_path)], capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "docker-steps: OK" in result.stdout


def test_the_dockerfile_runs_as_a_non_root_user_with_data_in_a_volume_and_a_healthcheck():
    text = (ROOT / "Dockerfile").read_text()
    assert "USER dti" in text and 'VOLUME ["/data"]' in text and "HEALTHCHECK" in text
    assert "pybabel compile" in text and text.count("FROM python:3.11-slim") == 2
    steps = (ROOT / "tools" / "docker-steps.sh").read_text()
    for step in (
        'pip install -q "babel>=2.14" && pybabel compile -d locales -D messages --statistics',
        "pip install -q . && dti-bot --help >/dev/null",
    ):
        assert step.replace('"', "") in text.replace('"', "") and step.replace('"', "") in steps.replace('"', "")
