//go:build tools

// Package tools pins the Kubernetes commands the test control plane is built
// from. The build tag keeps it out of every build; `go mod tidy` still sees
// the imports, so go.mod/go.sum record exactly what `go build` will use.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubelet"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
