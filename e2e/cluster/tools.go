//go:build tools

// Keeps k8s.io/kubernetes/cmd/kube-apiserver and cmd/kubelet (built by e2e/build.sh) in the module graph for
// `go mod tidy`.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kubelet"
)
