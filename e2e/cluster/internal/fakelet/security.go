package fakelet

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	v1 "k8s.io/api/core/v1"
)

// defaultCaps are containerd's default capabilities for a container (its oci.DefaultCaps / the CRI default set).
var defaultCaps = []string{
	"CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "NET_RAW", "SETGID", "SETUID", "SETFCAP", "SETPCAP",
	"NET_BIND_SERVICE", "SYS_CHROOT", "KILL", "AUDIT_WRITE",
}

// allCaps lists the capability names setpriv knows, in kernel order (CAP_CHOWN = 0 …).
var allCaps = []string{
	"CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID", "SETPCAP",
	"LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER",
	"SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE",
	"SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP",
	"MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF",
	"CHECKPOINT_RESTORE",
}

// hostCaps are the capabilities this kernel knows (by /proc/sys/kernel/cap_last_cap).
func hostCaps() []string {
	b, err := os.ReadFile("/proc/sys/kernel/cap_last_cap")
	if err != nil {
		return allCaps
	}
	last, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || last+1 > len(allCaps) {
		return allCaps
	}
	return allCaps[:last+1]
}

// creds is who a container's processes run as.
type creds struct {
	uid, gid   int64
	groups     []int64
	caps       []string // bounding set; nil with privileged means "all of the host's"
	privileged bool
	noNewPrivs bool
}

// effectiveCreds merges the pod's and the container's securityContext with the image's user, like the kubelet
// and containerd do. It returns the kubelet's CreateContainerConfigError text when runAsNonRoot cannot be met.
func effectiveCreds(pod *v1.Pod, name string, sc *v1.SecurityContext, img *image) (creds, error) {
	c := creds{}
	if img.user != "" {
		parts := strings.SplitN(img.user, ":", 2)
		c.uid, _ = strconv.ParseInt(parts[0], 10, 64)
		if len(parts) == 2 {
			c.gid, _ = strconv.ParseInt(parts[1], 10, 64)
		}
	}
	var runAsNonRoot *bool
	if psc := pod.Spec.SecurityContext; psc != nil {
		if psc.RunAsUser != nil {
			c.uid = *psc.RunAsUser
		}
		if psc.RunAsGroup != nil {
			c.gid = *psc.RunAsGroup
		}
		runAsNonRoot = psc.RunAsNonRoot
		c.groups = append(c.groups, psc.SupplementalGroups...)
		if psc.FSGroup != nil {
			c.groups = append(c.groups, *psc.FSGroup)
		}
	}
	add, drop := []string{}, []string{}
	if sc != nil {
		if sc.RunAsUser != nil {
			c.uid = *sc.RunAsUser
		}
		if sc.RunAsGroup != nil {
			c.gid = *sc.RunAsGroup
		}
		if sc.RunAsNonRoot != nil {
			runAsNonRoot = sc.RunAsNonRoot
		}
		if sc.Privileged != nil && *sc.Privileged {
			c.privileged = true
		}
		if sc.AllowPrivilegeEscalation != nil && !*sc.AllowPrivilegeEscalation {
			c.noNewPrivs = true
		}
		if sc.Capabilities != nil {
			for _, a := range sc.Capabilities.Add {
				add = append(add, string(a))
			}
			for _, d := range sc.Capabilities.Drop {
				drop = append(drop, string(d))
			}
		}
	}
	if runAsNonRoot != nil && *runAsNonRoot && c.uid == 0 {
		uidSet := (sc != nil && sc.RunAsUser != nil) || (pod.Spec.SecurityContext != nil && pod.Spec.SecurityContext.RunAsUser != nil)
		if uidSet {
			return c, fmt.Errorf("container's runAsUser breaks non-root policy (pod: %q, container: %s)", podDesc(pod), name)
		}
		return c, fmt.Errorf("container has runAsNonRoot and image will run as root (pod: %q, container: %s)", podDesc(pod), name)
	}
	if c.privileged {
		c.caps = hostCaps()
		return c, nil
	}
	c.caps = capabilities(add, drop)
	return c, nil
}

// capabilities applies add/drop to containerd's default set the way containerd does: "ALL" in add means every
// capability, "ALL" in drop means none; then the named ones are added and dropped.
func capabilities(add, drop []string) []string {
	known := hostCaps()
	set := map[string]bool{}
	for _, c := range defaultCaps {
		set[c] = true
	}
	norm := func(s string) string { return strings.TrimPrefix(strings.ToUpper(s), "CAP_") }
	for _, a := range add {
		if norm(a) == "ALL" {
			for _, c := range known {
				set[c] = true
			}
		}
	}
	for _, d := range drop {
		if norm(d) == "ALL" {
			set = map[string]bool{}
		}
	}
	for _, a := range add {
		if n := norm(a); n != "ALL" {
			set[n] = true
		}
	}
	for _, d := range drop {
		delete(set, norm(d))
	}
	out := []string{}
	for _, c := range known {
		if set[c] {
			out = append(out, c)
		}
	}
	return out
}

// setprivArgs is the util-linux setpriv command line that applies c before exec'ing the container command.
func (c creds) setprivArgs() []string {
	args := []string{"setpriv", "--reuid", strconv.FormatInt(c.uid, 10), "--regid", strconv.FormatInt(c.gid, 10)}
	if len(c.groups) > 0 {
		gs := make([]string, 0, len(c.groups))
		seen := map[int64]bool{}
		for _, g := range c.groups {
			if !seen[g] {
				seen[g] = true
				gs = append(gs, strconv.FormatInt(g, 10))
			}
		}
		sort.Strings(gs)
		args = append(args, "--groups", strings.Join(gs, ","))
	} else {
		args = append(args, "--clear-groups")
	}
	if !c.privileged {
		b := []string{"-all"}
		for _, cp := range c.caps {
			b = append(b, "+"+strings.ToLower(cp))
		}
		args = append(args, "--inh-caps", "-all", "--bounding-set", strings.Join(b, ","))
	}
	if c.noNewPrivs {
		args = append(args, "--no-new-privs")
	}
	return append(args, "--")
}

func podDesc(pod *v1.Pod) string {
	return fmt.Sprintf("%s_%s(%s)", pod.Name, pod.Namespace, pod.UID)
}
