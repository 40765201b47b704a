//go:build tools

// Package tools pins kwok, which simulates the kubelets of fake nodes.
package tools

import _ "sigs.k8s.io/kwok/cmd/kwok"
