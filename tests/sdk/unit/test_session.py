"""Session reads the kubeconfig like kubectl: the current (or given) context's namespace."""

import textwrap

from sluice import Pipeline, Session

KUBECONFIG = textwrap.dedent("""\
    apiVersion: v1
    kind: Config
    clusters:
    - name: c
      cluster: {server: "https://127.0.0.1:6443", insecure-skip-tls-verify: true}
    users:
    - name: u
      user: {token: not-a-real-token}
    contexts:
    - name: ml
      context: {cluster: c, user: u, namespace: ml}
    - name: plain
      context: {cluster: c, user: u}
    current-context: ml
    """)


def test_namespace_comes_from_the_context(tmp_path):
    path = tmp_path / "config"
    path.write_text(KUBECONFIG)
    s = Session(kubeconfig=str(path))
    assert s.default_namespace == "ml"
    assert s.api_client.configuration.host == "https://127.0.0.1:6443"
    assert Pipeline("abalone", session=s).arn == "ml/abalone"
    assert Session(kubeconfig=str(path), context="plain").default_namespace == "default"
    assert Pipeline("abalone", "other", session=s).namespace == "other"
