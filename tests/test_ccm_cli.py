"""The console command against providers selected by name: as a real subprocess (the console script and
`python -m`) where a process matters (--version/--help, a usage error of argparse, a read-only state file,
SIGTERM), in this process (cli_inprocess) for the rest."""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
from pathlib import Path

import cli_inprocess
import pytest

ROOT = Path(__file__).resolve().parents[1]
CCM = Path(sys.executable).parent / "cloud-controller-manager"

FAKE_CONFIG = """
zone = "z1"
region = "r1"
state_file = "cloud.json"

[[instances]]
name = "node-a"
id = "i-a"
zone = "z1"
type = "m.small"
addresses = [{ type = "InternalIP", address = "10.0.0.1" }]

[[instances]]
name = "node-b"
id = "i-b"
zone = "z2"
type = "m.small"
addresses = [{ type = "InternalIP", address = "10.0.0.2" }]
"""

STATE = {
    "cluster_name": "demo",
    "nodes": [
        {"name": "node-a", "pod_cidr": "10.244.1.0/24"},
        {"name": "node-b", "pod_cidr": "10.244.2.0/24"},
    ],
    "services": [
        {"name": "web", "uid": "uid-web", "type": "LoadBalancer", "ports": [{"port": 80, "node_port": 30080}]}
    ],
}


def ccm(cwd: Path, *args: str, module: bool = False, process: bool = False) -> subprocess.CompletedProcess[str]:
    """The command in this process, or with `process` (or `module`: `python -m`) as a real subprocess."""
    cmd = [sys.executable, "-m", "cloud_controller_manager"] if module else [str(CCM)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    if not (process or module):
        return cli_inprocess.run([*cmd, *args], cwd=cwd, capture_output=True, text=True, env=env)
    return subprocess.run(
        [*cmd, *args], cwd=cwd, capture_output=True, text=True, timeout=120, env=env, check=False
    )


FAKE_ARGS = (  # the fake provider on the fake_cluster folder
    "--cloud-provider",
    "fake",
    "--cloud-config",
    "cloud.toml",
    "--state",
    "state.json",
)


@pytest.fixture
def fake_cluster(tmp_path: Path) -> Path:
    (tmp_path / "cloud.toml").write_text(FAKE_CONFIG)
    (tmp_path / "state.json").write_text(json.dumps(STATE))
    return tmp_path


def test_fake_provider_one_pass_then_nothing_to_do(fake_cluster: Path) -> None:
    first = ccm(fake_cluster, *FAKE_ARGS, process=True)
    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    assert lines[0] == "node/node-a: set provider ID fake://i-a"
    assert lines[-3:] == [
        "service/default/web: set load balancer ingress 192.0.2.1",
        "route/10.244.1.0/24: created route to node node-a",
        "route/10.244.2.0/24: created route to node node-b",
    ]
    state = json.loads((fake_cluster / "state.json").read_text())
    assert state["nodes"][1]["labels"]["topology.kubernetes.io/zone"] == "z2"
    assert state["services"][0]["status"]["load_balancer"]["ingress"] == [{"ip": "192.0.2.1"}]
    second = ccm(fake_cluster, *FAKE_ARGS, module=True)  # python -m, and the cloud persisted in cloud.json
    assert (second.returncode, second.stdout, second.stderr) == (0, "", "")


def test_dry_run_writes_nothing(fake_cluster: Path) -> None:
    before = (fake_cluster / "state.json").read_text()
    proc = ccm(fake_cluster, *FAKE_ARGS, "--dry-run")
    assert proc.returncode == 0, proc.stderr
    assert "[dry-run] route/10.244.1.0/24: created route to node node-a" in proc.stdout.splitlines()
    assert (fake_cluster / "state.json").read_text() == before
    assert not (fake_cluster / "cloud.json").exists()  # the fake cloud's state file is not created either


def test_loop_rereads_the_state_each_pass(fake_cluster: Path) -> None:
    proc = ccm(fake_cluster, *FAKE_ARGS, "--loop", "--interval", "0.001", "--iterations", "3")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("created route") == 2  # the passes after the first find nothing to do


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--cloud-provider", "nope", "--state", "state.json"), "unknown cloud provider 'nope' (available: "),
        (("--cloud-provider", "fake", "--state", "missing.json"), "missing.json: cannot read cluster state"),
        (
            ("--cloud-provider", "fake", "--state", "state.json", "--cloud-config", "bad.toml"),
            "bad.toml: invalid cloud config",
        ),
        (
            ("--cloud-provider", "fake", "--state", "bad-state.json"),
            "bad-state.json: nodes[0]: missing key 'name'",
        ),
        (("--state", "state.json"), "--cloud-provider is required"),
        (("--cloud-provider", "fake"), "--state is required"),
        (("--cloud-provider", "fake", "--state", "state.json", "--bogus"), "unrecognized arguments: --bogus"),
        (("--state", "state.json", "--iterations", "x"), "argument --iterations: invalid int value: 'x'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(fake_cluster: Path, args: tuple[str, ...], message: str) -> None:
    (fake_cluster / "bad.toml").write_text("zone = ")
    (fake_cluster / "bad-state.json").write_text('{"nodes": [{}]}')
    proc = ccm(fake_cluster, *args, process="--bogus" in args)  # argparse's own error from a process, once
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith("cloud-controller-manager: error: ") and message in proc.stderr
    assert len(proc.stderr.splitlines()) == 1


def _one_line_exit_2(proc: subprocess.CompletedProcess[str], message: str) -> None:
    assert (proc.returncode, proc.stdout) == (2, ""), proc.stderr
    assert proc.stderr.startswith("cloud-controller-manager: error: ") and message in proc.stderr, proc.stderr
    assert len(proc.stderr.splitlines()) == 1 and "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--interval", "inf"),
            "argument --interval: must be a finite number of seconds above 0, got 'inf'",
        ),
        (
            ("--interval", "nan"),
            "argument --interval: must be a finite number of seconds above 0",
        ),
        (
            ("--interval", "0"),
            "argument --interval: must be a finite number of seconds above 0, got '0'",
        ),
        (("--interval", "-1"), "argument --interval: must be a finite number"),
        (
            ("--interval", "soon"),
            "argument --interval: not a number of seconds: 'soon'",
        ),
        (("--iterations", "0"), "argument --iterations: must be 1 or more"),
        (("--iterations", "-2"), "argument --iterations: must be 1 or more"),
    ],
)
def test_bad_loop_arguments_are_refused_before_anything(
    fake_cluster: Path, args: tuple[str, ...], message: str
) -> None:
    before = (fake_cluster / "state.json").read_text()
    _one_line_exit_2(ccm(fake_cluster, *FAKE_ARGS, "--loop", *args), message)
    assert (fake_cluster / "state.json").read_text() == before
    assert not (fake_cluster / "cloud.json").exists()


def test_a_read_only_state_file_is_refused_and_keeps_its_mode(
    fake_cluster: Path,
) -> None:
    state = fake_cluster / "state.json"
    before = state.read_text()
    state.chmod(0o444)
    proc = ccm(fake_cluster, *FAKE_ARGS, process=True)
    _one_line_exit_2(
        proc,
        "state.json: the cluster state file is read-only (mode 444); it is left as it is",
    )
    assert stat.S_IMODE(state.stat().st_mode) == 0o444 and state.read_text() == before
    assert not (fake_cluster / "cloud.json").exists()  # refused before the cloud was changed
    dry = ccm(fake_cluster, *FAKE_ARGS, "--dry-run")  # a dry run writes nothing: it may read it
    assert dry.returncode == 0 and "[dry-run] route/10.244.1.0/24" in dry.stdout, dry.stderr


def test_the_state_file_is_replaced_atomically_keeping_its_mode(
    fake_cluster: Path,
) -> None:
    state = fake_cluster / "state.json"
    state.chmod(0o640)
    (fake_cluster / "cloud.toml").chmod(0o600)
    assert ccm(fake_cluster, *FAKE_ARGS).returncode == 0
    assert stat.S_IMODE(state.stat().st_mode) == 0o640
    assert json.loads(state.read_text())["nodes"][0]["provider_id"] == "fake://i-a"
    assert sorted(p.name for p in fake_cluster.iterdir()) == [
        "cloud.json",
        "cloud.toml",
        "state.json",
    ]


def _unwritable(folder: Path) -> list[str]:
    """Make ``folder`` refuse new files, even to root; the command that undoes it (skip when impossible)."""
    folder.chmod(0o555)
    undo = ["chmod", "755", str(folder)]
    probe = folder / ".probe"
    try:
        probe.touch()
    except PermissionError:
        return undo
    probe.unlink()
    chattr = shutil.which("chattr")  # root ignores modes; the immutable attribute binds it too
    if (
        chattr
        and subprocess.run([chattr, "+i", str(folder)], capture_output=True, check=False).returncode == 0
    ):
        return [chattr, "-i", str(folder)]
    folder.chmod(0o755)
    pytest.skip("cannot make a folder unwritable here (root, and no chattr +i)")


def test_an_unwritable_state_folder_is_refused_before_the_cloud_changes(
    tmp_path: Path,
) -> None:
    conf, data = tmp_path / "conf", tmp_path / "data"
    conf.mkdir()
    data.mkdir()
    (conf / "cloud.toml").write_text(FAKE_CONFIG)
    (data / "state.json").write_text(json.dumps(STATE))
    undo = _unwritable(data)
    try:
        proc = ccm(
            tmp_path,
            "--cloud-provider",
            "fake",
            "--cloud-config",
            "conf/cloud.toml",
            "--state",
            "data/state.json",
        )
    finally:
        subprocess.run(undo, check=True)
    _one_line_exit_2(proc, "data/state.json: cannot write the cluster state file in data: ")
    assert not (conf / "cloud.json").exists()  # the fake cloud was not changed (nor its file created)


def test_a_relative_state_file_is_beside_the_cloud_config(tmp_path: Path) -> None:
    conf, elsewhere = tmp_path / "conf", tmp_path / "elsewhere"
    conf.mkdir()
    elsewhere.mkdir()
    (conf / "cloud.toml").write_text(FAKE_CONFIG)
    (conf / "state.json").write_text(json.dumps(STATE))
    args = (
        "--cloud-provider",
        "fake",
        "--cloud-config",
        "../conf/cloud.toml",
        "--state",
        "../conf/state.json",
    )
    assert ccm(elsewhere, *args).returncode == 0
    assert list(elsewhere.iterdir()) == []
    assert json.loads((conf / "cloud.json").read_text())["routes"] != []
    assert ccm(conf, *FAKE_ARGS[:4], "--state", "state.json").stdout == ""  # the same cloud, from its folder


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (
            FAKE_CONFIG.replace("[[instances]]", "[[instance]]"),
            "cloud.toml: unknown key 'instance' (known: ",
        ),
        (
            FAKE_CONFIG.replace('zone = "z1"\nregion', "zone = 1\nregion"),
            "cloud.toml: key 'zone' must be a string, got int",
        ),
        (
            FAKE_CONFIG.replace('type = "m.small"', 'typ = "m.small"', 1),
            "cloud.toml: instances[0]: unknown key 'typ'",
        ),
    ],
)
def test_a_typo_in_the_fake_config_is_refused(fake_cluster: Path, config: str, message: str) -> None:
    (fake_cluster / "cloud.toml").write_text(config)
    before = (fake_cluster / "state.json").read_text()
    _one_line_exit_2(ccm(fake_cluster, *FAKE_ARGS), message)
    assert (fake_cluster / "state.json").read_text() == before  # no node deleted
    assert not (fake_cluster / "cloud.json").exists()


def test_a_failed_run_creates_no_cloud_state(fake_cluster: Path) -> None:
    (fake_cluster / "state.json").write_text('{"nodes": [{}]}')
    _one_line_exit_2(ccm(fake_cluster, *FAKE_ARGS), "state.json: nodes[0]: missing key 'name'")
    assert not (fake_cluster / "cloud.json").exists()


def test_version_and_help(fake_cluster: Path) -> None:
    version = ccm(fake_cluster, "--version", process=True)
    assert (version.returncode, version.stdout) == (
        0,
        "cloud-controller-manager 0.1.0\n",
    )
    shown = ccm(fake_cluster, "--help", process=True).stdout
    assert "exit codes:\n  0    every object was reconciled\n  1    some objects" in shown
    assert "\n  2    bad input" in shown and "`" not in shown


def test_list_providers(fake_cluster: Path) -> None:
    proc = ccm(fake_cluster, "--list-providers")
    names = proc.stdout.split()
    assert proc.returncode == 0 and "fake" in names and names == sorted(names)


BAREMETAL_INVENTORY = """
region = "dc-1"

[[machines]]
name = "node-a"
id = "srv-a"
zone = "rack-1"
type = "r640"
addresses = [{ type = "InternalIP", address = "10.0.0.1" }]

[[machines]]
name = "node-b"
id = "srv-b"
zone = "rack-2"
type = "r640"
addresses = [{ type = "InternalIP", address = "10.0.0.2" }]
"""

BAREMETAL_CONFIG = """
inventory = "inventory.toml"
haproxy_dir = "haproxy.d"
routes_file = "routes.batch"
vip_pool = "192.0.2.16/28"
"""


def test_baremetal_provider_writes_haproxy_and_routes(tmp_path: Path) -> None:
    (tmp_path / "inventory.toml").write_text(BAREMETAL_INVENTORY)
    (tmp_path / "cloud.toml").write_text(BAREMETAL_CONFIG)
    (tmp_path / "state.json").write_text(json.dumps(STATE))
    args = ("--cloud-provider", "baremetal", "--cloud-config", "cloud.toml", "--state", "state.json")
    first = ccm(tmp_path, *args)
    assert first.returncode == 0, first.stderr
    assert "node/node-b: set provider ID baremetal://srv-b" in first.stdout.splitlines()
    assert "service/default/web: set load balancer ingress 192.0.2.17" in first.stdout.splitlines()
    (fragment,) = (tmp_path / "haproxy.d").glob("*.cfg")
    assert "server node-a 10.0.0.1:30080 check" in fragment.read_text()
    assert "route replace 10.244.2.0/24 via 10.0.0.2" in (tmp_path / "routes.batch").read_text()
    assert ccm(tmp_path, *args).stdout == ""

    # A machine leaves the inventory: its node, backend and route go.
    only_a = BAREMETAL_INVENTORY.split('[[machines]]\nname = "node-b"', maxsplit=1)[0]
    (tmp_path / "inventory.toml").write_text(only_a)
    third = ccm(tmp_path, *args)
    assert third.stdout.splitlines() == [
        "node/node-b: deleted (its instance no longer exists)",
        "service/default/web: updated load balancer hosts: -node-b (now 1)",
        "route/10.244.2.0/24: deleted route to node node-b (blackhole)",
    ]
    assert (
        "node-b" not in fragment.read_text()
        and "10.244.2.0/24" not in (tmp_path / "routes.batch").read_text()
    )

    # The service stops being a LoadBalancer: its fragment is deleted.
    state = json.loads((tmp_path / "state.json").read_text())
    state["services"][0]["type"] = "ClusterIP"
    (tmp_path / "state.json").write_text(json.dumps(state))
    fourth = ccm(tmp_path, *args)
    assert (
        "service/default/web: deleted load balancer (service is gone or no longer of type LoadBalancer)"
        in fourth.stdout
    )
    assert list((tmp_path / "haproxy.d").glob("*.cfg")) == []


def test_baremetal_bad_inventory_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "inventory.toml").write_text("[[machines]]\nname = 'a'\n")
    (tmp_path / "cloud.toml").write_text(BAREMETAL_CONFIG)
    (tmp_path / "state.json").write_text(json.dumps(STATE))
    proc = ccm(
        tmp_path, "--cloud-provider", "baremetal", "--cloud-config", "cloud.toml", "--state", "state.json"
    )
    assert proc.returncode == 2
    assert (
        proc.stderr
        == "cloud-controller-manager: error: inventory.toml: machines[0]: missing or non-string key 'zone'\n"
    )


def test_objects_the_provider_refuses_are_errors_and_exit_1(tmp_path: Path) -> None:
    (tmp_path / "inventory.toml").write_text(BAREMETAL_INVENTORY)
    (tmp_path / "cloud.toml").write_text(BAREMETAL_CONFIG)
    dns = {
        "name": "dns",
        "uid": "uid-dns",
        "type": "LoadBalancer",
        "ports": [{"port": 53, "node_port": 30053, "protocol": "UDP"}],
    }
    (tmp_path / "state.json").write_text(json.dumps({**STATE, "services": [*STATE["services"], dns]}))
    proc = ccm(
        tmp_path, "--cloud-provider", "baremetal", "--cloud-config", "cloud.toml", "--state", "state.json"
    )
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        "cloud-controller-manager: error: service/default/dns: CloudProviderError: baremetal: HAProxy"
        " balances TCP only; port 53 of default/dns is UDP"
    ]
    assert "service/default/web: set load balancer ingress 192.0.2.17" in proc.stdout.splitlines()
    saved = json.loads((tmp_path / "state.json").read_text())
    # What succeeded is kept; the refused one is remembered as pending, to retry or clean up.
    assert [(lb["name"], lb.get("pending", False)) for lb in saved["load_balancers"]] == [
        ("dns", True),
        ("web", False),
    ]


def test_sigterm_ends_a_loop_between_passes(fake_cluster: Path) -> None:
    with subprocess.Popen(
        [str(CCM), *FAKE_ARGS, "--loop", "--interval", "600"],
        cwd=fake_cluster,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        assert proc.stdout is not None
        first = proc.stdout.readline()  # the first pass has begun printing
        proc.send_signal(signal.SIGTERM)
        assert proc.stderr is not None
        out, err = (
            first + proc.stdout.read(),
            proc.stderr.read(),
        )  # not communicate(): it skips buffered lines
        proc.wait(timeout=60)
    assert first == "node/node-a: set provider ID fake://i-a\n"
    assert (proc.returncode, err) == (0, "")
    assert out.splitlines()[-1] == "route/10.244.2.0/24: created route to node node-b"  # the pass completed
    assert json.loads((fake_cluster / "cloud.json").read_text())["routes"] != []  # and the cloud was saved
