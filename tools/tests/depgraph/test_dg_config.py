"""`[tool.depgraph]` loading: defaults, every key, and one clear ConfigError per kind of mistake."""

from __future__ import annotations

from pathlib import Path

import pytest
from dg_fixtures import make_repo

from depgraph.base.errors import ConfigError
from depgraph.base.imports import ImportKind
from depgraph.base.model import Level
from depgraph.discover.config import DEFAULT_LEVELS, find_root, load_config


def write(tmp_path: Path, text: str) -> Path:
    return make_repo(tmp_path, {"pyproject.toml": text})


def test_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "[project]\nname = 'x'\n[tool.depgraph]\n"))
    assert config.staging == ()
    assert config.vendor == "vendor"
    assert config.include_tests is False
    assert config.tests == ("tests", "test")
    assert config.cache_dir == ".depgraph-cache"
    assert config.baseline == "depgraph-baseline.json"
    assert dict(config.checks) == dict(DEFAULT_LEVELS)
    assert config.level("unused-dependency") is Level.WARN
    assert config.level("import-cycle") is Level.ERROR
    assert config.project["name"] == "x"


def test_every_key(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        """
        [tool.depgraph]
        staging = ["staging/*"]
        distributions = ["tools/"]
        vendor = "third_party/vendor"
        include-tests = true
        tests = ["testing"]
        exclude = ["**/fixtures/*"]
        cache-dir = ".cache/dg"
        baseline = "dg.json"
        module-distributions = { yaml = "PyYAML" }
        checks = { import-cycle = "warn", restriction = "off" }

        [[tool.depgraph.restrictions]]
        name = "core-no-providers"
        from = ["app"]
        deny = ["prov-*"]
        kinds = ["top-level", "deferred"]
        """,
    )
    config = load_config(root)
    assert config.staging == ("staging/*",)
    assert config.distributions == ("tools",)
    assert config.vendor_path == root / "third_party/vendor"
    assert config.include_tests is True
    assert config.tests == ("testing",)
    assert config.exclude == ("**/fixtures/*",)
    assert config.cache_path == root / ".cache/dg"
    assert config.baseline_path == root / "dg.json"
    assert dict(config.module_distributions) == {"yaml": "PyYAML"}
    assert config.level("import-cycle") is Level.WARN
    assert config.level("restriction") is Level.OFF
    (rule,) = config.restrictions
    assert rule.name == "core-no-providers"
    assert rule.from_distributions == ("app",)
    assert rule.deny == ("prov-*",)
    assert rule.kinds == (ImportKind.TOP_LEVEL, ImportKind.DEFERRED)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("[tool.depgraph]\nstagin = []\n", "tool.depgraph.stagin: unknown key"),
        ("[tool.depgraph]\nstaging = 'staging/*'\n", "tool.depgraph.staging: expected a list"),
        ("[tool.depgraph]\ninclude-tests = 'yes'\n", "tool.depgraph.include-tests: expected true or false"),
        ("[tool.depgraph]\nvendor = ''\n", "tool.depgraph.vendor: expected a non-empty string"),
        ("[tool.depgraph]\nvendor = '../v'\n", "tool.depgraph.vendor: '../v' must be a path inside"),
        ("[tool.depgraph]\nstaging = ['/abs']\n", "tool.depgraph.staging: '/abs' must be a path inside"),
        (
            "[tool.depgraph]\nchecks = { import-cycle = 'loud' }\n",
            "tool.depgraph.checks.import-cycle: expected",
        ),
        ("[tool.depgraph]\nchecks = { cycles = 'warn' }\n", "tool.depgraph.checks.cycles: unknown check"),
        ("[tool.depgraph]\nchecks = 3\n", "tool.depgraph.checks: expected a table"),
        ("[tool.depgraph]\nmodule-distributions = { yaml = 1 }\n", "module-distributions.yaml: expected"),
        (
            '[tool.depgraph]\nmodule-distributions = { "my-mod" = "x" }\n',
            "module-distributions.my-mod: not a dotted",
        ),
        ("[tool.depgraph]\nrestrictions = 1\n", "tool.depgraph.restrictions: expected an array of tables"),
        (
            "[[tool.depgraph.restrictions]]\nfrom = ['a']\ndeny = ['b']\n",
            "tool.depgraph.restrictions[0].name: missing",
        ),
        (
            "[[tool.depgraph.restrictions]]\nname = 'r'\nfrom = ['a']\ndeny = ['b']\nwhen = 1\n",
            "tool.depgraph.restrictions[0].when: unknown key",
        ),
        (
            "[[tool.depgraph.restrictions]]\nname = 'r'\ndeny = ['b']\n",
            "tool.depgraph.restrictions[0].from: restriction 'r' needs `from` or `from-modules`",
        ),
        (
            "[[tool.depgraph.restrictions]]\nname = 'r'\nfrom = ['a']\n",
            "tool.depgraph.restrictions[0].deny: restriction 'r' needs an allow or a deny list",
        ),
        (
            "[[tool.depgraph.restrictions]]\nname = 'r'\nfrom = ['a']\ndeny = ['b']\nkinds = ['lazy']\n",
            "tool.depgraph.restrictions[0].kinds: unknown kind 'lazy'",
        ),
        (
            "[[tool.depgraph.restrictions]]\nname = 'r'\nfrom = ['a']\ndeny = ['b']\n"
            "[[tool.depgraph.restrictions]]\nname = 'r'\nfrom = ['a']\ndeny = ['c']\n",
            "tool.depgraph.restrictions[1].name: duplicate restriction name 'r'",
        ),
        ("[tool.depgraph]\n[project]\nname = 'x'\nversion = \n", "invalid TOML"),
        ("[project]\nname = 'x'\n", "no [tool.depgraph] table"),
    ],
)
def test_errors_name_file_and_key(tmp_path: Path, body: str, expected: str) -> None:
    root = write(tmp_path, body)
    with pytest.raises(ConfigError) as info:
        load_config(root)
    message = str(info.value)
    assert message.startswith(f"{root / 'pyproject.toml'}: ")
    assert expected in message
    assert "\n" not in message


def test_invalid_toml_names_the_line(tmp_path: Path) -> None:
    root = write(tmp_path, "[tool.depgraph]\nstaging = [\n\n= 3\n")
    with pytest.raises(ConfigError, match=r"invalid TOML: .*line 4"):
        load_config(root)


def test_missing_and_undecodable_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"pyproject\.toml: file not found"):
        load_config(tmp_path)
    (tmp_path / "pyproject.toml").write_bytes(b"[tool.depgraph]\nvendor = '\xff'\n")
    with pytest.raises(ConfigError, match="not valid UTF-8"):
        load_config(tmp_path)


def test_find_root_walks_up_to_the_configured_pyproject(tmp_path: Path) -> None:
    make_repo(
        tmp_path,
        {
            "pyproject.toml": "[tool.depgraph]\n",
            "staging/a/pyproject.toml": "[project]\nname = 'a'\n",
            "staging/a/a/__init__.py": "",
        },
    )
    assert find_root(tmp_path / "staging/a/a") == tmp_path.resolve()
    assert find_root(tmp_path) == tmp_path.resolve()


def test_find_root_without_configuration(tmp_path: Path) -> None:
    make_repo(tmp_path, {"pyproject.toml": "[project]\nname = 'a'\n"})
    with pytest.raises(ConfigError, match=r"no pyproject.toml with a \[tool.depgraph\] table"):
        find_root(tmp_path)


def test_find_root_from_inside_a_vendor_link(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path / "repo",
        {
            "pyproject.toml": "[tool.depgraph]\nstaging = ['staging/*']\n",
            "staging/a/pyproject.toml": "[project]\nname = 'a'\n",
            "staging/a/a/__init__.py": "",
        },
    )
    (root / "vendor").mkdir()
    (root / "vendor/a").symlink_to("../staging/a/a")
    assert find_root(root / "vendor/a") == root.resolve()
