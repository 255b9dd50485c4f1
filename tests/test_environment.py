"""pyproject.toml, requirements/constraints.txt and environment.yml must never drift apart.

`make` installs from the constraints file; conda users install environment.yml. Both must give
the same versions of the same direct dependencies.
"""

from __future__ import annotations

import re
import tomllib

import pytest

from prioslo.paths import PROJECT_ROOT


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _direct_dependencies() -> set[str]:
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        reqs.extend(extra)
    return {_name(r) for r in reqs}


def _constraints() -> dict[str, str]:
    pins = {}
    for line in (PROJECT_ROOT / "requirements" / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[_name(name)] = version.strip()
    return pins


def _environment_yml() -> dict[str, str]:
    """Parse the dependency pins of environment.yml (conda `name=ver` and pip `name==ver`)."""
    pins = {}
    for line in (PROJECT_ROOT / "environment.yml").read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\s*-\s+([A-Za-z0-9_.\-]+)\s*(==|=)\s*([0-9][^\s#]*)", line)
        if m:
            pins[_name(m.group(1))] = m.group(3)
    return pins


def test_every_direct_dependency_is_pinned_in_constraints():
    pins = _constraints()
    missing = sorted(_direct_dependencies() - pins.keys())
    assert not missing, f"not pinned in requirements/constraints.txt: {missing}"


@pytest.mark.parametrize("name", sorted(_direct_dependencies()))
def test_environment_yml_mirrors_the_pinned_version(name):
    env = _environment_yml()
    assert name in env, f"{name} is a dependency in pyproject.toml but missing from environment.yml"
    assert env[name] == _constraints()[name], (
        f"{name}: environment.yml has {env[name]}, constraints.txt pins {_constraints()[name]}")


def test_environment_yml_has_nothing_pyproject_does_not_declare():
    extra = sorted(set(_environment_yml()) - _direct_dependencies() - {"python"})
    assert not extra, f"environment.yml lists packages pyproject.toml does not: {extra}"


def test_environment_yml_python_matches_requires_python():
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    low = re.search(r">=\s*(\d+\.\d+)", project["requires-python"]).group(1)
    assert _environment_yml()["python"] == low
