"""Plays the Job controller and the kubelet for the integration tier, where the
real API server runs without controllers (the Python twin of
tests/controller/integration/fake_kubelet.cpp): for every Job of an execution
it creates the pod the Job controller would, then sets the pod's status as a
kubelet would, with the termination message sluice-runner would write (the
outputs of the Job's SLUICE_STAGING; properties and exit code from the test's
script). It talks only to the real API server."""

from __future__ import annotations

import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

from kubernetes import client as k8s
from kubernetes.client.rest import ApiException


@dataclass
class StepBehaviour:
    exit_code: int = 0
    properties: dict[str, str] = field(default_factory=dict)
    hold: bool = False  # leave the pod Running until release(step)


Script = Callable[[str], StepBehaviour]


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _main_container(spec: dict) -> dict | None:
    cs = spec.get("containers") or []
    for c in cs:
        if c.get("name") == "main":
            return c
    return cs[0] if cs else None


def termination_message(pod_spec: dict, b: StepBehaviour) -> str:
    msg: dict = {"exitCode": b.exit_code}
    outputs = []
    c = _main_container(pod_spec) or {}
    for e in c.get("env") or []:
        if e.get("name") == "SLUICE_STAGING":
            staging = json.loads(e.get("value", "{}"))
            for o in staging.get("outputs") or []:
                outputs.append({"name": o["name"], "uri": o["uri"], "size": 42, "sha256": "a" * 64})
    if b.exit_code == 0:
        msg["outputs"] = outputs
        msg["properties"] = [{"name": k, "value": v} for k, v in b.properties.items()]
    else:
        msg["error"] = f"exit code {b.exit_code}"
    return json.dumps(msg)


class FakeKubelet:
    def __init__(self, api_client: k8s.ApiClient, namespace: str, script: Script) -> None:
        self.core = k8s.CoreV1Api(api_client)
        self.batch = k8s.BatchV1Api(api_client)
        self.ns = namespace
        self.script = script
        self.started: list[str] = []  # steps whose pods were created, in order
        self.jobs_by_execution: dict[str, list[str]] = {}
        self._pods: dict[str, str] = {}
        self._finished: set[str] = set()
        self._running: set[str] = set()  # held pods already reported Running
        self._released: set[str] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="fake-kubelet", daemon=True)
        self.errors: list[str] = []

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def release(self, step: str) -> None:
        with self._lock:
            self._released.add(step)

    def steps_run_by(self, execution: str) -> list[str]:
        """Steps that got a Job (and so a pod) in ``execution``, sorted."""
        with self._lock:
            return sorted(self.jobs_by_execution.get(execution, []))

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self._tick()
            except Exception as e:  # keep playing kubelet; the test sees the error list
                self.errors.append(repr(e))
            self._stop.wait(0.05)

    def _tick(self) -> None:
        resp = self.batch.list_namespaced_job(self.ns, label_selector="sluice.dev/execution", _preload_content=False)
        jobs = json.loads(resp.data).get("items") or []
        for job in jobs:
            meta = job["metadata"]
            name = meta["name"]
            if meta.get("deletionTimestamp"):
                continue
            step = (meta.get("annotations") or {}).get("sluice.dev/step", "")
            with self._lock:
                if name in self._finished:
                    continue
                pod = self._pods.get(name)
            if pod is None:
                pod = self._create_pod(job)
                if pod is None:
                    continue
                execution = (meta.get("labels") or {}).get("sluice.dev/execution", "")
                with self._lock:
                    self._pods[name] = pod
                    self.started.append(step)
                    self.jobs_by_execution.setdefault(execution, []).append(step)
            b = self.script(step)
            with self._lock:
                released = step in self._released
            if b.hold and not released:
                if pod not in self._running:
                    self._set_running(pod)
                    self._running.add(pod)
                continue
            self._finish_pod(pod, job, b)
            with self._lock:
                self._finished.add(name)

    def _create_pod(self, job: dict) -> str | None:
        job_name = job["metadata"]["name"]
        tmpl = job["spec"]["template"]
        name = f"{job_name[:50]}-{secrets.token_hex(3)}"
        meta = dict(tmpl.get("metadata") or {})
        meta["name"] = name
        meta["labels"] = {**(meta.get("labels") or {}), "batch.kubernetes.io/job-name": job_name}
        meta["ownerReferences"] = [
            {"apiVersion": "batch/v1", "kind": "Job", "name": job_name, "uid": job["metadata"]["uid"], "controller": True}
        ]
        pod = {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": {**tmpl["spec"], "nodeName": "fake-node"}}
        try:
            self.core.create_namespaced_pod(self.ns, pod)
        except ApiException as e:
            if e.status != 409:
                self.errors.append(f"create pod for {job_name}: {e.status} {e.body}")
                return None
        return name

    def _set_running(self, pod_name: str) -> None:
        resp = self.core.read_namespaced_pod(pod_name, self.ns, _preload_content=False)
        pod = json.loads(resp.data)
        main = _main_container(pod["spec"]) or {}
        now = _now()
        pod["status"] = {
            "phase": "Running",
            "startTime": now,
            "containerStatuses": [{
                "name": main.get("name", "main"), "ready": True, "restartCount": 0,
                "image": main.get("image", ""), "imageID": "", "state": {"running": {"startedAt": now}},
            }],
        }
        self.core.replace_namespaced_pod_status(pod_name, self.ns, pod)

    def _finish_pod(self, pod_name: str, job: dict, b: StepBehaviour) -> None:
        resp = self.core.read_namespaced_pod(pod_name, self.ns, _preload_content=False)
        pod = json.loads(resp.data)
        now = _now()
        main = _main_container(pod["spec"]) or {}
        pod["status"] = {
            "phase": "Succeeded" if b.exit_code == 0 else "Failed",
            "startTime": now,
            "containerStatuses": [
                {
                    "name": main.get("name", "main"),
                    "ready": False,
                    "restartCount": 0,
                    "image": main.get("image", ""),
                    "imageID": "",
                    "state": {
                        "terminated": {
                            "exitCode": b.exit_code,
                            "reason": "Completed" if b.exit_code == 0 else "Error",
                            "message": termination_message(job["spec"]["template"]["spec"], b),
                            "startedAt": now,
                            "finishedAt": now,
                        }
                    },
                }
            ],
        }
        self.core.replace_namespaced_pod_status(pod_name, self.ns, pod)
