"""Third-party ownership: read from the environment named with --python (a real venv with a real
`pip install` of a wheel built here), else from the static mapping; unknown owners are reported."""

from __future__ import annotations

import base64
import hashlib
import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import cli_inprocess
import pytest
from dg_fixtures import make_repo, pyproject

pytestmark = pytest.mark.xdist_group("dg-ownership")  # the environment, installed once for every test here

DEPGRAPH = str(Path(sys.executable).with_name("depgraph"))
ENV = {"PATH": "/usr/bin:/bin", "NO_COLOR": "1"}


def run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return cli_inprocess.run(
        [DEPGRAPH, "check", "--root", str(root), *args],
        capture_output=True,
        text=True,
        env={**ENV, "HOME": str(root)},
        check=False,
    )


def _wheel(folder: Path) -> Path:
    """A real wheel of distribution `tiny-dist-name` 1.0 whose import name is `fancy_import` (no
    top_level.txt, as flit, hatch and poetry build them: the RECORD says what it provides)."""
    files = {
        "fancy_import/__init__.py": b"VALUE = 1\n",
        "tiny_dist_name-1.0.dist-info/METADATA": (
            b"Metadata-Version: 2.1\nName: tiny-dist-name\nVersion: 1.0\n"
        ),
        "tiny_dist_name-1.0.dist-info/WHEEL": (
            b"Wheel-Version: 1.0\nGenerator: depgraph-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        ),
    }
    record = []
    for name, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(data)}")
    record.append("tiny_dist_name-1.0.dist-info/RECORD,,")
    files["tiny_dist_name-1.0.dist-info/RECORD"] = ("\n".join(record) + "\n").encode()
    wheel = folder / "tiny_dist_name-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return wheel


@pytest.fixture(scope="module")
def environment(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtual environment with the wheel installed by pip (offline: --no-index)."""
    folder = tmp_path_factory.mktemp("env")
    target = folder / "venv"
    venv.create(target, with_pip=False)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(target / "bin" / "python"),
            "install",
            "--no-index",
            "--no-deps",
            "--disable-pip-version-check",
            str(_wheel(folder)),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return target


ROOT = """
[tool.depgraph]
distributions = ["libs/*"]
"""


def repo(tmp_path: Path, tool: str = "") -> Path:
    return make_repo(
        tmp_path / "repo",
        {
            "pyproject.toml": pyproject("app", ["tiny-dist-name", "lib-b"], tool=ROOT + tool),
            "app/__init__.py": "import fancy_import\nimport lib_b\n",
            "app/later.py": (
                "import os\n\n\ndef fetch() -> None:\n"
                "    import httpx\n    import httpx.auth\n    import requests\n"
            ),
            "app/again.py": "import httpx\n",
            "libs/b/pyproject.toml": pyproject(
                "lib-b", ["python-slugify>=8", "PyYAML", "azure-identity", "GitPython", "pillow"]
            ),
            "libs/b/lib_b/__init__.py": (
                "import slugify\nimport yaml\nfrom azure.identity import DefaultAzureCredential\nimport git\n"
                "from PIL import Image\nimport bs4\n"
            ),
        },
    )


def findings(done: subprocess.CompletedProcess[str]) -> list[str]:
    return [line.strip() for line in done.stdout.splitlines() if ": [" in line]


def test_static_mapping_without_an_environment(tmp_path: Path) -> None:
    done = run(repo(tmp_path))
    assert done.returncode == 1, done.stdout + done.stderr
    # slugify, yaml, azure.identity, git and PIL come from the declared names; bs4 from the table alone
    assert findings(done) == [
        "app/__init__.py:1: [error] `app` imports `fancy_import`, which no declared requirement provides "
        "(its owner is unknown)",
        "app/again.py:1: [error] `app` imports `httpx`, which no declared requirement provides (its owner is "
        "unknown)",
        "app/later.py:5: [error] `app` imports `httpx`, which no declared requirement provides (its owner is "
        "unknown)",
        "app/later.py:7: [error] `app` imports `requests`, which no declared requirement provides (its owner "
        "is unknown)",
        "libs/b/lib_b/__init__.py:6: [error] `lib-b` imports `bs4` from distribution `beautifulsoup4`, which "
        "it does not declare",
    ]  # tiny-dist-name is not called unused: `fancy_import`, of unknown owner, may be (and is) its
    assert done.stdout.count("point depgraph at the repository's environment (`--python PATH`") == 4


def test_the_environment_named_with_python_decides(tmp_path: Path, environment: Path) -> None:
    root = repo(tmp_path)
    done = run(root, "--python", str(environment / "bin" / "python"))
    assert done.returncode == 1, done.stdout + done.stderr
    got = findings(done)
    assert not any("fancy_import" in line or "tiny-dist-name" in line for line in got), got
    assert [line.split(":")[0] + ":" + line.split(":")[1] for line in got] == [
        "app/again.py:1",
        "app/later.py:5",
        "app/later.py:7",
        "libs/b/lib_b/__init__.py:6",
    ]
    assert "which no distribution installed in the given environment or declared provides" in got[0]
    # the folder of the environment works as well, and so does the key, relative to the root
    assert findings(run(root, "--python", str(environment))) == got
    keyed = repo(
        tmp_path / "keyed", tool=f'python = "{os.path.relpath(environment, tmp_path / "keyed/repo")}"\n'
    )
    assert findings(run(keyed)) == got


def test_caches_follow_the_environment_and_output_is_deterministic(tmp_path: Path, environment: Path) -> None:
    root = repo(tmp_path)
    python = str(environment / "bin" / "python")
    static_first = run(root)
    named = run(root, "--python", python)
    static_again = run(root)
    named_again = run(root, "--python", python)
    assert static_first.stdout == static_again.stdout == run(root, "--no-cache").stdout
    assert named.stdout == named_again.stdout == run(root, "--no-cache", "--python", python).stdout
    assert static_first.stdout != named.stdout
    assert "fancy_import" in static_first.stdout and "fancy_import" not in named.stdout


def test_a_bad_python_is_one_line_and_exit_2(tmp_path: Path) -> None:
    root = repo(tmp_path)
    done = run(root, "--python", str(tmp_path / "nowhere"))
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"depgraph: error: --python: no interpreter at '{tmp_path / 'nowhere'}' ({tmp_path / 'nowhere'})"
    ]
    keyed = repo(tmp_path / "k", tool='python = "missing-venv"\n')
    done = run(keyed)
    assert done.returncode == 2
    assert (
        f"{keyed / 'pyproject.toml'}: tool.depgraph.python: no interpreter at 'missing-venv'" in done.stderr
    )
    (tmp_path / "notpython").write_text("#!/bin/sh\necho hello\n")
    (tmp_path / "notpython").chmod(0o755)
    done = run(root, "--python", str(tmp_path / "notpython"))
    assert done.returncode == 2
    assert "is not a Python interpreter depgraph can read" in done.stderr


def test_names_found_false_on_public_monorepos(tmp_path: Path) -> None:
    """Each was a false finding on a public monorepo (pydantic-ai) before the table had its distribution:
    griffelib provides griffe, ag-ui-protocol ag_ui, fastmcp-slim fastmcp (in an extra), and
    opentelemetry-api the private namespace portion opentelemetry._logs; and on opentelemetry-python-contrib,
    opentelemetry-semantic-conventions provides opentelemetry.semconv."""
    root = make_repo(
        tmp_path / "repo",
        {
            "pyproject.toml": pyproject(
                "slim",
                ["griffelib>=2.0", "opentelemetry-api>=1.28", "opentelemetry-semantic-conventions>=0.61b0"],
                {"ag-ui": ["ag-ui-protocol>=0.1.10"], "mcp": ["fastmcp-slim[client]>=3.3.0,<5"]},
                tool="[tool.depgraph]\n",
            ),
            "slim/__init__.py": (
                "import griffe\nfrom opentelemetry._logs import get_logger\n"
                "from opentelemetry.semconv._incubating.attributes import gen_ai_attributes\n\n\n"
                "def later() -> None:\n"
                "    from ag_ui.core import Event\n    from fastmcp.exceptions import ToolError\n"
            ),
        },
    )
    done = run(root)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("depgraph: no findings from ")


def test_names_the_rules_find_false_on_langchain_google(tmp_path: Path) -> None:
    """False on langchain-google before the name rules read each hyphen as `_` or `.` and a versioned API
    module as its unversioned name: `google.api_core` (google-api-core) and `google.cloud.modelarmor_v1`
    (google-cloud-modelarmor) had an unknown owner, and both requirements were called unused."""
    root = make_repo(
        tmp_path / "repo",
        {
            "pyproject.toml": pyproject(
                "gcp",
                ["google-api-core>=2.25", "google-cloud-modelarmor>=0.2.8"],
                tool="[tool.depgraph]\n",
            ),
            "gcp/__init__.py": (
                "from google.api_core.exceptions import NotFound\n"
                "from google.cloud.modelarmor_v1 import DataItem\n"
            ),
        },
    )
    done = run(root)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("depgraph: no findings from ")


def test_table_names_false_on_langchain_google_and_otel_contrib(tmp_path: Path) -> None:
    """Each import had an unknown owner before the table had its distribution, though the distribution
    was declared (langchain-google: googleapiclient, google.cloud.exceptions, vertexai; opentelemetry-
    python-contrib, in its `instruments` extras: cassandra, tortoise, agents), and google-api-python-client
    was called unused. Undeclared, a table name is reported under its distribution (proto: proto-plus;
    google.oauth2: google-auth), not as an unknown owner."""
    root = make_repo(
        tmp_path / "repo",
        {
            "pyproject.toml": pyproject(
                "gcp",
                ["google-api-python-client>=2.1", "google-cloud-core>=2.4", "google-cloud-aiplatform>=1.9"],
                {"instruments": ["cassandra-driver ~= 3.25", "tortoise-orm >= 0.17.0", "openai-agents>=0.3"]},
                tool="[tool.depgraph]\n",
            ),
            "gcp/__init__.py": (
                "import importlib\n"
                "from googleapiclient.discovery import build\n"
                "from google.cloud.exceptions import NotFound\n"
                "from vertexai.generative_models import Image\n"
                "import cassandra.cluster\n"
                "import tortoise.contrib.pydantic.base\n"
                "tracing = importlib.import_module('agents.tracing')\n"
                "import proto\n"
                "from google.oauth2.service_account import Credentials\n"
            ),
        },
    )
    done = run(root)
    assert done.returncode == 1, done.stdout + done.stderr
    assert findings(done) == [
        "gcp/__init__.py:8: [error] `gcp` imports `proto` from distribution `proto-plus`, which it does not "
        "declare",
        "gcp/__init__.py:9: [error] `gcp` imports `google.oauth2.service_account` from distribution "
        "`google-auth`, which it does not declare",
    ]


def test_table_names_grpc_google_iam_v1_of_google_cloud_storages_grpc_extra(tmp_path: Path) -> None:
    """google-cloud-storage declares grpc-google-iam-v1 in its `grpc` extra and imports `google.iam.v1`:
    its owner was unknown before the table had that distribution (the test fails without it)."""
    root = make_repo(
        tmp_path / "repo",
        {
            "pyproject.toml": pyproject(
                "gcs", ["grpcio>=1.33"], {"grpc": ["grpc-google-iam-v1>=0.14.0"]}, tool="[tool.depgraph]\n"
            ),
            "gcs/__init__.py": "import grpc\nfrom google.iam.v1 import policy_pb2\n",
        },
    )
    done = run(root)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("depgraph: no findings from ")


def unused_repo(tmp_path: Path) -> Path:
    """`app` has an import of unknown owner (`fancy_import`); `lib-b` has none; `lib-c` has one and maps a
    name to a distribution in module-distributions. Each declares requirements none of its modules imports."""
    return make_repo(
        tmp_path / "repo",
        {
            "pyproject.toml": pyproject(
                "app",
                ["tiny-dist-name", "mystery-dist>=1", "pillow", "lib-b"],
                tool=ROOT + 'module-distributions = { mapped = "mapped-dist" }\n',
            ),
            "app/__init__.py": "import fancy_import\nimport lib_b\n",
            "libs/b/pyproject.toml": pyproject("lib-b", ["mystery-dist>=1"]),
            "libs/b/lib_b/__init__.py": "import os\n",
            "libs/c/pyproject.toml": pyproject("lib-c", ["mapped-dist", "other-guess", "tiny-dist-name"]),
            "libs/c/lib_c/__init__.py": "import unknown_thing\n",
        },
    )


def test_unused_stays_silent_on_guessed_names_while_an_owner_is_unknown(tmp_path: Path) -> None:
    """A requirement whose import names are only guessed (not installed in a named environment, not in the
    table, not named by module-distributions) is not called unused in a distribution with an import of
    unknown owner: that import may be its (`fancy_import` is tiny-dist-name's). Known names still are."""
    done = run(unused_repo(tmp_path))
    assert done.returncode == 1, done.stdout + done.stderr
    assert findings(done) == [
        "app/__init__.py:1: [error] `app` imports `fancy_import`, which no declared requirement provides "
        "(its owner is unknown)",
        "libs/c/lib_c/__init__.py:1: [error] `lib-c` imports `unknown_thing`, which no declared requirement "
        "provides (its owner is unknown)",
        "libs/b/pyproject.toml:4: [warn] `lib-b` declares `mystery-dist>=1` in [project].dependencies, but "
        "none of its modules imports it",  # no unknown owner in lib-b: a guess is enough
        "libs/c/pyproject.toml:4: [warn] `lib-c` declares `mapped-dist` in [project].dependencies, but none "
        "of its modules imports it",  # module-distributions says which names it has
        "pyproject.toml:4: [warn] `app` declares `pillow` in [project].dependencies, but none of its modules "
        "imports it",  # the table knows its names (PIL)
    ]


def test_unused_judges_what_the_named_environment_has_installed(tmp_path: Path, environment: Path) -> None:
    """With the environment named, tiny-dist-name's names are read from its metadata: `fancy_import` is
    its, so app uses it (and mystery-dist is judged: no unknown owner is left in app); lib-c, whose
    `unknown_thing` stays of unknown owner, imports none of tiny-dist-name's names, and its guessed
    `other-guess` (not installed) stays silent."""
    done = run(unused_repo(tmp_path), "--python", str(environment))
    assert done.returncode == 1, done.stdout + done.stderr
    assert findings(done) == [
        "libs/c/lib_c/__init__.py:1: [error] `lib-c` imports `unknown_thing`, which no distribution "
        "installed in the given environment or declared provides (its owner is unknown)",
        "libs/b/pyproject.toml:4: [warn] `lib-b` declares `mystery-dist>=1` in [project].dependencies, but "
        "none of its modules imports it",
        "libs/c/pyproject.toml:4: [warn] `lib-c` declares `mapped-dist` in [project].dependencies, but none "
        "of its modules imports it",
        "libs/c/pyproject.toml:4: [warn] `lib-c` declares `tiny-dist-name` in [project].dependencies, but "
        "none of its modules imports it",  # installed: its names are known
        "pyproject.toml:4: [warn] `app` declares `mystery-dist>=1` in [project].dependencies, but none of "
        "its modules imports it",  # no unknown owner left in app
        "pyproject.toml:4: [warn] `app` declares `pillow` in [project].dependencies, but none of its modules "
        "imports it",
    ]


def test_a_development_group_names_the_owner(tmp_path: Path) -> None:
    """langchain-google-vertexai declares google-cloud-datastore only in a test group and imports
    `from google.cloud import datastore` in its package: undeclared, but its owner is known (it was
    reported as an unknown owner, "which no declared requirement provides", though one did). Groups come
    after every distribution's dependencies and extras: pydantic-ai's root group `mcp-types` (guessed:
    `mcp.types`) does not take `import mcp.types` from `mcp`, which a sibling requires."""
    root = make_repo(
        tmp_path / "repo",
        {
            "pyproject.toml": pyproject("gcp", ["google-cloud-storage>=2"], tool=ROOT)
            + '[dependency-groups]\ntest_integration = ["google-cloud-datastore>=2.19.0,<3.0.0"]\n'
            + 'dev = ["mcp-types>=2.0.0"]\n',
            "gcp/__init__.py": (
                "from google.cloud import storage\nimport mcp.types\n\n\ndef client() -> None:\n"
                "    from google.cloud import datastore\n"
            ),
            "libs/b/pyproject.toml": pyproject("lib-b", ["mcp[cli]>=1.28"]),
            "libs/b/lib_b/__init__.py": "import mcp\n",
        },
    )
    done = run(root)
    assert done.returncode == 1, done.stdout + done.stderr
    assert findings(done) == [
        "gcp/__init__.py:2: [error] `gcp` imports `mcp.types` from distribution `mcp`, which it does not "
        "declare",
        "gcp/__init__.py:6: [error] `gcp` imports `google.cloud.datastore` from distribution "
        "`google-cloud-datastore`, which it does not declare",
    ]
