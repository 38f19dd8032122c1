"""What a backend does not ship is not the distribution's code: hatch selections, defaults, meta-packages.

Every distribution below imports `base` without declaring it, from shipped and unshipped files alike; only
the shipped ones may be reported. Through the real CLI; exact sets of (check, file:line).
"""

from __future__ import annotations

from pathlib import Path

from dg_fixtures import make_repo
from test_dg_backends_cli import findings, messages

HATCH = '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'


def hatch(name: str, wheel: str = "", deps: str = "[]") -> str:
    head = f'[project]\nname = "{name}"\nversion = "0"\ndependencies = {deps}\n{HATCH}'
    return head + (f"[tool.hatch.build.targets.wheel]\n{wheel}" if wheel else "")


IMPORT = "import base\n"


def test_only_shipped_files_are_judged(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "pyproject.toml": "[tool.depgraph]\ndistributions = ['libs/*']\n",
            "libs/base/pyproject.toml": '[project]\nname = "base"\nversion = "0"\n',
            "libs/base/base/__init__.py": "",
            # hatch include + exclude: only /h1_pkg, less _dev.py
            "libs/h1/pyproject.toml": hatch("h1", 'include = ["/h1_pkg"]\nexclude = ["/h1_pkg/_dev.py"]\n'),
            "libs/h1/h1_pkg/__init__.py": IMPORT,
            "libs/h1/h1_pkg/_dev.py": IMPORT,
            "libs/h1/other_pkg/__init__.py": IMPORT,
            "libs/h1/scripts/release.py": IMPORT,
            "libs/h1/integration_tests/test_it.py": IMPORT,
            # hatch only-include + sources
            "libs/h2/pyproject.toml": hatch("h2", 'only-include = ["src/h2_pkg"]\nsources = ["src"]\n'),
            "libs/h2/src/h2_pkg/__init__.py": IMPORT,
            "libs/h2/src/h2_extra/__init__.py": IMPORT,
            # hatch without selection: the package named after the project
            "libs/h3/pyproject.toml": hatch("h3-pkg"),
            "libs/h3/h3_pkg/__init__.py": IMPORT,
            "libs/h3/bench_helpers/__init__.py": IMPORT,
            # poetry without packages: the same default
            "libs/p/pyproject.toml": '[tool.poetry]\nname = "p-lib"\nversion = "0"\n',
            "libs/p/p_lib/__init__.py": IMPORT,
            "libs/p/devtools/__init__.py": IMPORT,
            # pdm-backend includes/excludes, package-dir stripped
            "libs/pd/pyproject.toml": '[project]\nname = "pd"\nversion = "0"\n[tool.pdm.build]\n'
            'package-dir = "src"\nincludes = ["src/pd_pkg"]\nexcludes = ["src/pd_pkg/_gen.py"]\n',
            "libs/pd/src/pd_pkg/__init__.py": IMPORT,
            "libs/pd/src/pd_pkg/_gen.py": IMPORT,
            "libs/pd/src/pd_other/__init__.py": IMPORT,
            # poetry packages: an sdist-only entry is not in the wheel
            "libs/p2/pyproject.toml": '[tool.poetry]\nname = "p2"\nversion = "0"\npackages = '
            '[{ include = "p2_pkg" }, { include = "p2_extra", format = "sdist" }]\n',
            "libs/p2/p2_pkg/__init__.py": IMPORT,
            "libs/p2/p2_extra/__init__.py": IMPORT,
            # a meta-package (bypass-selection): no code, so its requirements are not "unused"
            "libs/m/pyproject.toml": hatch("meta", "bypass-selection = true\n", '["base", "h1"]'),
            "libs/m/meta_helpers.py": IMPORT,
            # a package whose only file lies in a folder no import can name ships no importable code
            "libs/m2/pyproject.toml": hatch("meta-two", 'packages = ["src/ns"]\n', '["h1"]'),
            "libs/m2/src/ns/meta-two/version.py": "V = 1\n",
            "libs/m2/src/ns/not-a-module.py": IMPORT,
        },
    )
    assert findings(root) == {
        ("undeclared-dependency", "libs/h1/h1_pkg/__init__.py:1"),
        ("undeclared-dependency", "libs/h2/src/h2_pkg/__init__.py:1"),
        ("undeclared-dependency", "libs/h3/h3_pkg/__init__.py:1"),
        ("undeclared-dependency", "libs/p/p_lib/__init__.py:1"),
        ("undeclared-dependency", "libs/pd/src/pd_pkg/__init__.py:1"),
        ("undeclared-dependency", "libs/p2/p2_pkg/__init__.py:1"),
    }
    text = (root / "pyproject.toml").read_text() + "include-tests = true\n"
    (root / "pyproject.toml").write_text(text)
    assert ("undeclared-dependency", "libs/h1/integration_tests/test_it.py:1") in findings(root)


def test_a_namespace_portion_no_distribution_here_holds_is_not_first_party(tmp_path: Path) -> None:
    """`ns.util` is a PEP 420 namespace two distributions here share; `ns.util.types` is neither's."""

    def lib(name: str, deps: str = "[]") -> str:
        return f'[project]\nname = "{name}"\nversion = "0"\ndependencies = {deps}\n'

    root = make_repo(
        tmp_path,
        {
            "pyproject.toml": "[tool.depgraph]\ndistributions = ['libs/*']\n",
            "libs/a/pyproject.toml": lib("ns-a", '["ns"]'),
            "libs/a/src/ns/a/__init__.py": "import ns.util.types\nimport ns.util.one\n",
            "libs/a/src/ns/a/extra.py": "from ns.util import types\n",
            "libs/u1/pyproject.toml": lib("ns-u1"),
            "libs/u1/src/ns/util/one/__init__.py": "import ns.a\n",
            "libs/u2/pyproject.toml": lib("ns-u2"),
            "libs/u2/src/ns/util/two/__init__.py": "",
        },
    )
    assert findings(root) == {
        # ns.util.types is the declared third-party `ns` portion, not ns-u1's (no cycle a -> u1 -> a);
        # `from ns.util import types` reaches it too (a namespace package has no attributes)
        ("undeclared-dependency", "libs/a/src/ns/a/__init__.py:2"),
        ("undeclared-dependency", "libs/u1/src/ns/util/one/__init__.py:1"),
        ("distribution-cycle", "libs/a/src/ns/a/__init__.py:2"),
        ("import-cycle", "libs/a/src/ns/a/__init__.py:2"),
    }


def test_an_unknown_portion_of_a_shared_namespace_is_reported_never_skipped(tmp_path: Path) -> None:
    """`acme` is a PEP 420 namespace two distributions here share: `acme.three` (and `acme.three.deep`) is
    neither's and nobody declares it, so its owner is unknown and said once per file; a submodule missing
    below one of the importer's own modules (`acme.one.generated`, made at build time) stays its own."""

    def lib(name: str, deps: str = "[]") -> str:
        return f'[project]\nname = "{name}"\nversion = "0"\ndependencies = {deps}\n'

    root = make_repo(
        tmp_path,
        {
            "pyproject.toml": "[tool.depgraph]\ndistributions = ['libs/*']\n",
            "libs/one/pyproject.toml": lib("acme-one", '["acme-two"]'),
            "libs/one/src/acme/one/__init__.py": "import acme.two\nimport acme.three\n"
            "import acme.one.generated\nimport acme.three.deep\nimport acme.four\n",
            "libs/two/pyproject.toml": lib("acme-two"),
            "libs/two/src/acme/two/__init__.py": "",
        },
    )
    said = messages(root)
    assert set(said) == {
        ("undeclared-dependency", "libs/one/src/acme/one/__init__.py:2"),
        ("undeclared-dependency", "libs/one/src/acme/one/__init__.py:5"),
    }
    assert (
        "`acme.three`, which no declared requirement provides (its owner is unknown)"
        in said["undeclared-dependency", "libs/one/src/acme/one/__init__.py:2"]
    )
    # acme-one now declares a distribution whose import names are only guessed (none is `acme.three`):
    # the unknown `acme.three` may be its, so it is not called unused
    (root / "libs/one/pyproject.toml").write_text(lib("acme-one", '["acme-two", "acme-three-lib"]'))
    assert set(messages(root)) == set(said)


def test_renamed_sources_and_poetry_includes_ship_under_the_names_the_wheel_has(tmp_path: Path) -> None:
    """hatch `sources` renaming a prefix names the modules after the new prefix; Poetry `include` entries
    whose format names the wheel are shipped (others go to the sdist alone), `exclude` is left out."""
    poetry = '[tool.poetry]\nname = "{0}"\nversion = "0"\n'
    root = make_repo(
        tmp_path,
        {
            "pyproject.toml": "[tool.depgraph]\ndistributions = ['libs/*']\n",
            "libs/base/pyproject.toml": '[project]\nname = "base"\nversion = "0"\n',
            "libs/base/base/__init__.py": "",
            # src/real_name ships as shipped_name; lib/ ships as ns/inner (a nested prefix)
            "libs/h4/pyproject.toml": hatch(
                "h4",
                'only-include = ["src/real_name", "lib"]\n'
                'sources = { "src/real_name" = "shipped_name", "lib" = "ns/inner" }\n',
            ),
            "libs/h4/src/real_name/__init__.py": IMPORT,
            "libs/h4/src/real_name/util.py": "import shipped_name\nimport ns.inner.deep\n",
            "libs/h4/lib/deep.py": "# deep\n" + IMPORT,
            "libs/h4/src/other/__init__.py": IMPORT,  # not selected
            # Poetry: packages, an include for the wheel, two for the sdist alone, an exclude
            "libs/p3/pyproject.toml": poetry.format("p3") + 'packages = [{ include = "p3_pkg" }]\n'
            'include = [{ path = "p3_extra", format = "wheel" }, "p3_sdist", { path = "p3_sdist2" }]\n'
            'exclude = ["p3_pkg/_gen.py"]\n',
            "libs/p3/p3_pkg/__init__.py": IMPORT,
            "libs/p3/p3_pkg/_gen.py": IMPORT,
            "libs/p3/p3_extra/__init__.py": IMPORT,
            "libs/p3/p3_sdist/__init__.py": IMPORT,
            "libs/p3/p3_sdist2/__init__.py": IMPORT,
            # Poetry without packages: the package named after the project, and a glob for the wheel
            "libs/p4/pyproject.toml": poetry.format("p4-lib")
            + 'include = [{ path = "p4_plugins/*.py", format = ["sdist", "wheel"] }]\n',
            "libs/p4/p4_lib/__init__.py": IMPORT,
            "libs/p4/p4_plugins/one.py": "# one\n# two\n" + IMPORT,
            "libs/p4/p4_tools/__init__.py": IMPORT,
            # a user of the shipped names, declaring none of them
            "libs/user/pyproject.toml": '[project]\nname = "user"\nversion = "0"\n',
            "libs/user/user/__init__.py": "import shipped_name.util\nimport p3_extra\nimport p4_plugins.one\n"
            "import real_name\n",
            "libs/user2/pyproject.toml": '[project]\nname = "user-two"\nversion = "0"\n',
            "libs/user2/user_two/__init__.py": "import ns.inner.deep\n",
        },
    )
    said = messages(root)
    assert set(said) == {
        ("undeclared-dependency", "libs/h4/src/real_name/__init__.py:1"),
        ("undeclared-dependency", "libs/h4/lib/deep.py:2"),
        ("undeclared-dependency", "libs/p3/p3_pkg/__init__.py:1"),
        ("undeclared-dependency", "libs/p3/p3_extra/__init__.py:1"),
        ("undeclared-dependency", "libs/p4/p4_lib/__init__.py:1"),
        ("undeclared-dependency", "libs/p4/p4_plugins/one.py:3"),
        ("undeclared-dependency", "libs/user/user/__init__.py:1"),
        ("undeclared-dependency", "libs/user/user/__init__.py:2"),
        ("undeclared-dependency", "libs/user/user/__init__.py:3"),
        ("undeclared-dependency", "libs/user/user/__init__.py:4"),
        ("undeclared-dependency", "libs/user2/user_two/__init__.py:1"),
    }
    # the shipped names belong to the distributions that ship them; the folder's own name to nobody
    for where, owner in (
        ("libs/user/user/__init__.py:1", "`h4`"),
        ("libs/user2/user_two/__init__.py:1", "`h4`"),
        ("libs/user/user/__init__.py:2", "`p3`"),
        ("libs/user/user/__init__.py:3", "`p4-lib`"),
    ):
        assert owner in said["undeclared-dependency", where], where
    assert "owner is unknown" in said["undeclared-dependency", "libs/user/user/__init__.py:4"]


def test_poetry_to_ships_a_package_below_another_name(tmp_path: Path) -> None:
    """`{ include = "inner", from = "src", to = "outer" }` installs `src/inner` as `outer/inner`: importers
    name `outer.inner`, and that is `a`'s (declared: no finding); `inner` alone is nobody's."""
    root = make_repo(
        tmp_path,
        {
            "pyproject.toml": "[tool.depgraph]\ndistributions = ['libs/*']\n",
            "libs/a/pyproject.toml": '[tool.poetry]\nname = "a"\nversion = "0"\n'
            'packages = [{ include = "inner", from = "src", to = "outer" },\n'
            '    { include = "flat", to = "up" }]\n',
            "libs/a/src/inner/__init__.py": "from outer.inner import sub\n",
            "libs/a/src/inner/sub.py": "",
            "libs/a/flat/__init__.py": "import outer.inner.sub\n",
            "libs/b/pyproject.toml": '[project]\nname = "b"\nversion = "0"\ndependencies = ["a"]\n',
            "libs/b/b/__init__.py": "import outer.inner\nimport up.flat\nimport inner\n",
        },
    )
    said = messages(root)
    assert set(said) == {("undeclared-dependency", "libs/b/b/__init__.py:3")}
    assert (
        "`inner`, which no declared requirement provides"
        in said["undeclared-dependency", "libs/b/b/__init__.py:3"]
    )
