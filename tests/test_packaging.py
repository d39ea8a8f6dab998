"""The Dockerfile's build steps, run outside Docker: the image would build and start; installs come
from the lock files."""

import subprocess
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
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
        "pip install -q -r requirements.lock && pip install -q --no-deps . && dti-bot --help >/dev/null",
    ):
        assert step.replace('"', "") in text.replace('"', "") and step.replace('"', "") in steps.replace('"', "")


def _locked(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        if line and not line.startswith((" ", "#")):
            name, _, version = line.partition("==")
            pins[canonicalize_name(name.split("[")[0])] = version.strip()
    return pins


def test_every_declared_dependency_is_pinned_in_the_lock_files_within_its_declared_range():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime, dev = _locked(ROOT / "requirements.lock"), _locked(ROOT / "requirements-dev.lock")
    for lock, declared in ((runtime, project["dependencies"]), (dev, project["optional-dependencies"]["test"])):
        for spec in map(Requirement, declared):
            name = canonicalize_name(spec.name)
            assert name in lock, f"{name} is not in the lock file: run `make lock`"
            assert spec.specifier.contains(lock[name], prereleases=True), f"{name}=={lock[name]} is outside {spec}"
    disagreeing = {name for name, version in runtime.items() if dev.get(name) != version}
    assert not disagreeing, f"the dev lock disagrees with the runtime lock on {disagreeing}"
