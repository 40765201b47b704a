"""The Kubernetes side: configuration, CustomObjectsApi calls translated into
SDK errors, and a watch of one object that survives 410 Gone."""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Mapping

from kubernetes import client as k8s
from kubernetes import config as k8s_config
from kubernetes import watch as k8s_watch
from kubernetes.client.rest import ApiException

from . import _shapes as shapes
from .errors import ApiError

log = logging.getLogger("sluice")

_SA_NAMESPACE = "/var/run/secrets/kubernetes.io/serviceaccount/namespace"


@dataclass
class Session:
    """How the SDK reaches the cluster (SageMaker's ``sagemaker_session``).

    ``Session()`` loads the kubeconfig like kubectl (``$KUBECONFIG`` else
    ``~/.kube/config``), else the in-cluster ServiceAccount. Give
    ``kubeconfig`` / ``context`` to pick one, or ``api_client`` to reuse a
    configured ``kubernetes.client.ApiClient``. ``default_namespace`` is the
    context's namespace (in-cluster: the pod's), else ``default``.
    """

    kubeconfig: str | None = None
    context: str | None = None
    api_client: k8s.ApiClient | None = None
    default_namespace: str = ""
    _custom: k8s.CustomObjectsApi = field(init=False, repr=False)

    def __post_init__(self) -> None:
        ns = ""
        if self.api_client is None:
            try:
                self.api_client = k8s_config.new_client_from_config(config_file=self.kubeconfig, context=self.context)
                try:
                    _, active = k8s_config.list_kube_config_contexts(config_file=self.kubeconfig)
                    if self.context:
                        contexts, _ = k8s_config.list_kube_config_contexts(config_file=self.kubeconfig)
                        active = next((c for c in contexts if c.get("name") == self.context), active)
                    ns = ((active or {}).get("context") or {}).get("namespace", "") or ""
                except (k8s_config.ConfigException, OSError):
                    ns = ""
            except (k8s_config.ConfigException, OSError) as e:
                if self.kubeconfig or self.context:
                    raise
                try:
                    k8s_config.load_incluster_config()
                except k8s_config.ConfigException:
                    raise k8s_config.ConfigException(
                        f"no Kubernetes configuration: {e}; and not running in a cluster"
                    ) from e
                self.api_client = k8s.ApiClient()
                try:
                    with open(_SA_NAMESPACE) as f:
                        ns = f.read().strip()
                except OSError:
                    ns = ""
        if not self.default_namespace:
            self.default_namespace = ns or "default"
        self._custom = k8s.CustomObjectsApi(self.api_client)

    # ---- calls on sluice.dev objects; every ApiException becomes an ApiError ----

    def _call(self, what: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ApiException as e:
            raise ApiError.from_api_exception(e, what) from None

    def get(self, plural: str, namespace: str, name: str) -> dict[str, Any]:
        return self._call(
            f"{_kind(plural)} {namespace}/{name}",
            self._custom.get_namespaced_custom_object,
            shapes.GROUP, shapes.VERSION, namespace, plural, name,
        )

    def create(self, plural: str, namespace: str, body: Mapping[str, Any]) -> dict[str, Any]:
        name = (body.get("metadata") or {}).get("name") or ((body.get("metadata") or {}).get("generateName", "") + "*")
        return self._call(
            f"creating {_kind(plural)} {namespace}/{name}",
            self._custom.create_namespaced_custom_object,
            shapes.GROUP, shapes.VERSION, namespace, plural, dict(body),
        )

    def replace(self, plural: str, namespace: str, name: str, body: Mapping[str, Any]) -> dict[str, Any]:
        return self._call(
            f"updating {_kind(plural)} {namespace}/{name}",
            self._custom.replace_namespaced_custom_object,
            shapes.GROUP, shapes.VERSION, namespace, plural, name, dict(body),
        )

    def merge_patch(self, plural: str, namespace: str, name: str, patch: Mapping[str, Any]) -> dict[str, Any]:
        # The client sends a dict body of a custom-object patch as a merge patch.
        return self._call(
            f"patching {_kind(plural)} {namespace}/{name}",
            self._custom.patch_namespaced_custom_object,
            shapes.GROUP, shapes.VERSION, namespace, plural, name, dict(patch),
        )

    def delete(self, plural: str, namespace: str, name: str) -> None:
        self._call(
            f"deleting {_kind(plural)} {namespace}/{name}",
            self._custom.delete_namespaced_custom_object,
            shapes.GROUP, shapes.VERSION, namespace, plural, name,
        )

    def list(
        self, plural: str, namespace: str, *, label_selector: str = "", field_selector: str = "", limit: int = 500
    ) -> tuple[list[dict[str, Any]], str]:
        """Every object matching, following the API's ``continue`` pages; returns the
        items and the list's resourceVersion."""
        items: list[dict[str, Any]] = []
        token: str | None = None
        rv = ""
        while True:
            kwargs: dict[str, Any] = {"limit": limit}
            if label_selector:
                kwargs["label_selector"] = label_selector
            if field_selector:
                kwargs["field_selector"] = field_selector
            if token:
                kwargs["_continue"] = token
            page = self._call(
                f"listing {_kind(plural)}s in {namespace}",
                self._custom.list_namespaced_custom_object,
                shapes.GROUP, shapes.VERSION, namespace, plural, **kwargs,
            )
            items.extend(page.get("items") or [])
            meta = page.get("metadata") or {}
            rv = meta.get("resourceVersion", rv)
            token = meta.get("continue")
            if not token:
                return items, rv

    def watch_object(
        self,
        plural: str,
        namespace: str,
        name: str,
        *,
        deadline: float,
        chunk_seconds: int = 30,
        resource_version: str | None = None,
    ) -> Iterator[dict[str, Any] | None]:
        """Yields the object now and after every change until ``deadline``
        (``time.monotonic()``), ``None`` once it is deleted.

        A watch whose resourceVersion expired (410 Gone: compacted etcd, an old
        watch cache window) is resumed by listing again and watching from the
        fresh resourceVersion, logged at INFO on the ``sluice`` logger.
        ``resource_version`` starts the first watch from a given version
        (otherwise from a fresh list).
        """
        selector = f"metadata.name={name}"
        rv = resource_version
        if rv is None:
            items, rv = self.list(plural, namespace, field_selector=selector)
            yield items[0] if items else None
            if not items:
                return
        while time.monotonic() < deadline:
            remaining = max(1, min(chunk_seconds, int(deadline - time.monotonic()) + 1))
            w = k8s_watch.Watch()
            try:
                for ev in w.stream(
                    self._custom.list_namespaced_custom_object,
                    shapes.GROUP, shapes.VERSION, namespace, plural,
                    field_selector=selector,
                    resource_version=rv,
                    allow_watch_bookmarks=True,
                    timeout_seconds=remaining,
                ):
                    obj = ev.get("raw_object") or ev.get("object") or {}
                    etype = ev.get("type")
                    new_rv = (obj.get("metadata") or {}).get("resourceVersion")
                    if new_rv:
                        rv = new_rv
                    if etype == "BOOKMARK":
                        continue
                    if etype == "DELETED":
                        yield None
                        return
                    if etype in ("ADDED", "MODIFIED"):
                        yield obj
                    if time.monotonic() >= deadline:
                        return
            except ApiException as e:
                if e.status != 410:
                    raise ApiError.from_api_exception(e, f"watching {_kind(plural)} {namespace}/{name}") from None
                log.info(
                    "watch of %s %s/%s expired at resourceVersion %s (410 Gone); listing again",
                    _kind(plural), namespace, name, rv,
                )
                items, rv = self.list(plural, namespace, field_selector=selector)
                yield items[0] if items else None
                if not items:
                    return
            finally:
                w.stop()


def _kind(plural: str) -> str:
    return {shapes.PIPELINES: "Pipeline", shapes.EXECUTIONS: "PipelineExecution"}.get(plural, plural)


_default: Session | None = None


def default_session() -> Session:
    """A process-wide Session, created on first use."""
    global _default
    if _default is None:
        _default = Session()
    return _default


def kubeconfig_path(session: Session) -> str | None:
    """The kubeconfig file a CLI child process should use (None: its own default)."""
    return session.kubeconfig or os.environ.get("KUBECONFIG") or None
