package fakelet

import (
	"context"
	"fmt"
	"strings"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/kubernetes/third_party/forked/golang/expansion"
)

// containerEnv builds a container's environment like the kubelet + containerd: the image's env (PATH, HOME),
// HOSTNAME, TERM for a TTY, then envFrom and env from the spec in order, with $(VAR) expansion.
func (k *Kubelet) containerEnv(ctx context.Context, pod *v1.Pod, c *v1.Container, img *image, home string) ([]string, error) {
	names := []string{}
	vals := map[string]string{}
	set := func(n, v string) {
		if _, ok := vals[n]; !ok {
			names = append(names, n)
		}
		vals[n] = v
	}
	set("PATH", img.path())
	set("HOSTNAME", podHostname(pod))
	if c.TTY {
		set("TERM", "xterm")
	}
	set("HOME", home)
	specVals := map[string]string{} // what $(VAR) may refer to: earlier spec variables only, like the kubelet
	for _, ef := range c.EnvFrom {
		data, err := k.envSource(ctx, pod.Namespace, ef)
		if err != nil {
			return nil, err
		}
		for key, v := range data {
			set(ef.Prefix+key, v)
			specVals[ef.Prefix+key] = v
		}
	}
	mapping := expansion.MappingFuncFor(specVals)
	for _, e := range c.Env {
		v := e.Value
		if e.ValueFrom != nil {
			var err error
			if v, err = k.envValueFrom(ctx, pod, e.ValueFrom); err != nil {
				return nil, err
			}
		} else {
			v = expansion.Expand(v, mapping)
		}
		set(e.Name, v)
		specVals[e.Name] = v
	}
	out := make([]string, 0, len(names))
	for _, n := range names {
		out = append(out, n+"="+vals[n])
	}
	return out, nil
}

func expandCommand(args []string, env []string) []string {
	m := map[string]string{}
	for _, kv := range env {
		if i := strings.IndexByte(kv, '='); i > 0 {
			m[kv[:i]] = kv[i+1:]
		}
	}
	mapping := expansion.MappingFuncFor(m)
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = expansion.Expand(a, mapping)
	}
	return out
}

func (k *Kubelet) envSource(ctx context.Context, ns string, ef v1.EnvFromSource) (map[string]string, error) {
	switch {
	case ef.ConfigMapRef != nil:
		cm, err := k.cs.CoreV1().ConfigMaps(ns).Get(ctx, ef.ConfigMapRef.Name, metav1.GetOptions{})
		if err != nil {
			if ef.ConfigMapRef.Optional != nil && *ef.ConfigMapRef.Optional {
				return nil, nil
			}
			return nil, err
		}
		return cm.Data, nil
	case ef.SecretRef != nil:
		s, err := k.cs.CoreV1().Secrets(ns).Get(ctx, ef.SecretRef.Name, metav1.GetOptions{})
		if err != nil {
			if ef.SecretRef.Optional != nil && *ef.SecretRef.Optional {
				return nil, nil
			}
			return nil, err
		}
		out := map[string]string{}
		for key, v := range s.Data {
			out[key] = string(v)
		}
		return out, nil
	}
	return nil, nil
}

func (k *Kubelet) envValueFrom(ctx context.Context, pod *v1.Pod, from *v1.EnvVarSource) (string, error) {
	switch {
	case from.FieldRef != nil:
		return podField(pod, from.FieldRef.FieldPath)
	case from.ConfigMapKeyRef != nil:
		r := from.ConfigMapKeyRef
		cm, err := k.cs.CoreV1().ConfigMaps(pod.Namespace).Get(ctx, r.Name, metav1.GetOptions{})
		if err != nil {
			if r.Optional != nil && *r.Optional {
				return "", nil
			}
			return "", err
		}
		v, ok := cm.Data[r.Key]
		if !ok && (r.Optional == nil || !*r.Optional) {
			return "", fmt.Errorf("couldn't find key %s in ConfigMap %s/%s", r.Key, pod.Namespace, r.Name)
		}
		return v, nil
	case from.SecretKeyRef != nil:
		r := from.SecretKeyRef
		s, err := k.cs.CoreV1().Secrets(pod.Namespace).Get(ctx, r.Name, metav1.GetOptions{})
		if err != nil {
			if r.Optional != nil && *r.Optional {
				return "", nil
			}
			return "", err
		}
		v, ok := s.Data[r.Key]
		if !ok && (r.Optional == nil || !*r.Optional) {
			return "", fmt.Errorf("couldn't find key %s in Secret %s/%s", r.Key, pod.Namespace, r.Name)
		}
		return string(v), nil
	case from.ResourceFieldRef != nil:
		return "0", nil // no resource accounting here
	}
	return "", nil
}

func podField(pod *v1.Pod, path string) (string, error) {
	switch path {
	case "metadata.name":
		return pod.Name, nil
	case "metadata.namespace":
		return pod.Namespace, nil
	case "metadata.uid":
		return string(pod.UID), nil
	case "spec.nodeName":
		return pod.Spec.NodeName, nil
	case "spec.serviceAccountName":
		return pod.Spec.ServiceAccountName, nil
	case "status.hostIP", "status.hostIPs":
		return "127.0.0.1", nil
	case "status.podIP", "status.podIPs":
		return pod.Status.PodIP, nil
	}
	for _, p := range []struct {
		prefix string
		m      map[string]string
	}{{"metadata.labels['", pod.Labels}, {"metadata.annotations['", pod.Annotations}} {
		if strings.HasPrefix(path, p.prefix) && strings.HasSuffix(path, "']") {
			return p.m[strings.TrimSuffix(strings.TrimPrefix(path, p.prefix), "']")], nil
		}
	}
	return "", fmt.Errorf("unsupported fieldPath: %s", path)
}

func podHostname(pod *v1.Pod) string {
	h := pod.Name
	if pod.Spec.Hostname != "" {
		h = pod.Spec.Hostname
	}
	if len(h) > 63 {
		h = strings.TrimRight(h[:63], "-.")
	}
	return h
}
