"""Fixtures of the SDK integration tests: the real kube-apiserver started by
tests/cluster/up.sh (its env file gives SLUICE_TEST_KUBECONFIG), the CRDs of
crds/, and per test a fresh namespace with
a sluice-operator process (SLUICE_OPERATOR_BIN) watching it and a FakeKubelet
completing its pods."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest
import yaml
from kubernetes import client as k8s

import sluice

sys.path.insert(0, str(Path(__file__).parent))
from fake_kubelet import FakeKubelet, StepBehaviour  # noqa: E402

ROOT = Path(__file__).resolve().parents[3]


def _env(name: str) -> str:
    v = os.environ.get(name, "")
    if not v:
        pytest.fail(
            f"{name} is not set: start the cluster with tests/cluster/up.sh, source its env file "
            "(and run through ctest, which sets SLUICE_OPERATOR_BIN)"
        )
    return v


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_ready(proc: subprocess.Popen, url: str, log_path: Path, timeout: float = 60) -> None:
    """Until the operator's /readyz answers 200 (its caches synced), so a test
    never races its start-up (nor SIGTERMs it before its handler is installed)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"sluice-operator exited {proc.returncode} at start-up: {log_path.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    pytest.fail(f"sluice-operator not ready at {url} after {timeout:.0f}s: {log_path.read_text()[-2000:]}")


@pytest.fixture(scope="session")
def crds() -> None:
    """crds/*.yaml created or updated through the API, then Established."""
    session = sluice.Session(kubeconfig=_env("SLUICE_TEST_KUBECONFIG"))
    api = k8s.ApiextensionsV1Api(session.api_client)
    names = []
    for path in sorted((ROOT / "crds").glob("*.yaml")):
        body = yaml.safe_load(path.read_text())
        name = body["metadata"]["name"]
        names.append(name)
        for _ in range(10):
            try:
                api.create_custom_resource_definition(body)
                break
            except k8s.ApiException as e:
                if e.status != 409:
                    raise
            current = api.read_custom_resource_definition(name)
            body["metadata"]["resourceVersion"] = current.metadata.resource_version
            try:
                api.replace_custom_resource_definition(name, body)
                break
            except k8s.ApiException as e:
                if e.status != 409:  # someone else (another suite) updated it meanwhile
                    raise
            body["metadata"].pop("resourceVersion", None)
    deadline = time.monotonic() + 60
    while names:
        crd = api.read_custom_resource_definition(names[0])
        if any(c.type == "Established" and c.status == "True" for c in (crd.status.conditions or [])):
            names.pop(0)
        elif time.monotonic() > deadline:
            pytest.fail(f"CRD {names[0]} is not Established after 60s")
        else:
            time.sleep(0.2)


def abalone_script(step: str) -> StepBehaviour:
    return StepBehaviour(properties={"mse": "4.37"} if step == "Evaluate" else {})


def holding(held: str) -> Callable[[str], StepBehaviour]:
    """abalone_script, but ``held``'s pod stays Running until released."""

    def script(step: str) -> StepBehaviour:
        b = abalone_script(step)
        b.hold = step == held
        return b

    return script


@dataclass
class Cluster:
    namespace: str
    session: sluice.Session
    kubelet: FakeKubelet
    operator: subprocess.Popen
    log_path: Path

    def pipeline(self, name: str) -> sluice.Pipeline:
        return sluice.Pipeline(name, self.namespace, session=self.session)

    def operator_log(self) -> str:
        try:
            return self.log_path.read_text()[-4000:]
        except OSError:
            return ""


@pytest.fixture
def script_holder() -> dict[str, Callable[[str], StepBehaviour]]:
    """Tests replace ``holder["script"]`` to change how steps end."""
    return {"script": abalone_script}


@pytest.fixture
def cluster(crds, script_holder, request) -> Cluster:
    kubeconfig = _env("SLUICE_TEST_KUBECONFIG")
    operator_bin = _env("SLUICE_OPERATOR_BIN")
    session = sluice.Session(kubeconfig=kubeconfig)
    core = k8s.CoreV1Api(session.api_client)
    ns = "sdk-" + secrets.token_hex(3)
    core.create_namespace({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
    # Without a controller-manager nobody makes the ServiceAccounts pods need.
    for sa in ("default", "pipeline-steps"):
        try:
            core.create_namespaced_service_account(ns, {"metadata": {"name": sa}})
        except k8s.ApiException as e:
            if e.status != 409:
                raise
    session.default_namespace = ns
    log_dir = Path(os.environ.get("SLUICE_TEST_LOG_DIR", "/tmp"))
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{ns}-operator.log"
    health = f"127.0.0.1:{_free_port()}"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [operator_bin, "--kubeconfig", kubeconfig, "--namespace", ns,
             "--metrics-bind-address", "0", "--health-probe-bind-address", health,
             "--runner-image", "registry.example/sluice-runner:test", "--workers", "4",
             "--kube-api-qps", "200", "--kube-api-burst", "400"],
            stdout=log, stderr=subprocess.STDOUT,
        )
    _wait_ready(proc, f"http://{health}/readyz", log_path)
    kubelet = FakeKubelet(session.api_client, ns, lambda step: script_holder["script"](step))
    kubelet.start()
    c = Cluster(ns, session, kubelet, proc, log_path)
    yield c
    kubelet.stop()
    proc.send_signal(signal.SIGTERM)
    try:
        rc = proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        rc = proc.wait()
    try:
        core.delete_namespace(ns)
    except k8s.ApiException:
        pass
    assert not kubelet.errors, f"fake kubelet errors: {kubelet.errors[:3]}"
    assert rc == 0, f"sluice-operator exited {rc} on SIGTERM; log {log_path}:\n{c.operator_log()}"


@pytest.fixture
def abalone(cluster) -> sluice.Pipeline:
    """The Abalone pipeline of examples/, upserted through the SDK."""
    p = cluster.pipeline("abalone")
    p.upsert(ROOT / "examples" / "abalone" / "pipeline.yaml")
    return p
