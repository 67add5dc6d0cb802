package fakelet

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	v1 "k8s.io/api/core/v1"
)

// startOrRetryLocked runs the kubelet's steps for one container: image pull (with back-off), config, create,
// start; or keeps it in CrashLoopBackOff. It returns when to look again.
func (k *Kubelet) startOrRetryLocked(p *podState, x *ctr, now time.Time) time.Time {
	pod := p.pod
	if !x.nextStart.IsZero() && now.Before(x.nextStart) {
		return x.nextStart
	}
	// a restart after an exit: CrashLoopBackOff once the first immediate restart has been used
	if x.terminated() && x.kind != kindEphemeral {
		if x.crashBackoff > 0 && x.nextStart.IsZero() {
			finished := now
			if x.cur != nil {
				finished = x.cur.finishedAt
			}
			x.nextStart = finished.Add(x.crashBackoff)
			x.waitReason = "CrashLoopBackOff"
			x.waitMessage = fmt.Sprintf("back-off %s restarting failed container=%s pod=%s", x.crashBackoff, x.name, podDesc(pod))
			k.emit(pod, x.fieldPath, v1.EventTypeWarning, "BackOff", fmt.Sprintf("Back-off restarting failed container %s in pod %s", x.name, podDesc(pod)))
			if now.Before(x.nextStart) {
				return x.nextStart
			}
		}
		if x.crashBackoff == 0 {
			x.crashBackoff = crashBackoffStart
		} else if x.crashBackoff *= 2; x.crashBackoff > crashBackoffMax {
			x.crashBackoff = crashBackoffMax
		}
		x.nextStart = time.Time{}
	}
	// image
	img := k.images.lookup(x.spec.Image)
	_, full := normalizeImage(x.spec.Image)
	if img == nil {
		if x.spec.ImagePullPolicy == v1.PullNever {
			x.waitReason, x.waitMessage = "ErrImageNeverPull", fmt.Sprintf("Container image %q is not present with pull policy of Never", x.spec.Image)
			k.emit(pod, x.fieldPath, v1.EventTypeWarning, "ErrImageNeverPull", x.waitMessage)
			return now.Add(pullBackoffStart)
		}
		if now.Before(x.nextPull) {
			if x.waitReason != "ImagePullBackOff" {
				x.waitReason = "ImagePullBackOff"
				x.waitMessage = fmt.Sprintf("Back-off pulling image %q: ErrImagePull: %s", x.spec.Image, x.pullErr)
				k.emit(pod, x.fieldPath, v1.EventTypeNormal, "BackOff", fmt.Sprintf("Back-off pulling image %q", x.spec.Image))
				k.emit(pod, x.fieldPath, v1.EventTypeWarning, "Failed", "Error: ImagePullBackOff")
			}
			return x.nextPull
		}
		k.emit(pod, x.fieldPath, v1.EventTypeNormal, "Pulling", fmt.Sprintf("Pulling image %q", x.spec.Image))
		x.pullErr = fmt.Sprintf("rpc error: code = NotFound desc = failed to pull and unpack image %q: failed to resolve reference %q: %s: not found", full, full, full)
		k.emit(pod, x.fieldPath, v1.EventTypeWarning, "Failed", fmt.Sprintf("Failed to pull image %q: %s", x.spec.Image, x.pullErr))
		k.emit(pod, x.fieldPath, v1.EventTypeWarning, "Failed", "Error: ErrImagePull")
		x.waitReason, x.waitMessage = "ErrImagePull", x.pullErr
		backoff := pullBackoffStart << x.pullFailures
		if backoff > pullBackoffMax || backoff <= 0 {
			backoff = pullBackoffMax
		}
		x.pullFailures++
		x.nextPull = now.Add(backoff)
		// the next sync (about a relist later) reports the back-off
		return now.Add(k.cfg.StatusLag + 500*time.Millisecond)
	}
	if x.spec.ImagePullPolicy == v1.PullAlways {
		k.emit(pod, x.fieldPath, v1.EventTypeNormal, "Pulling", fmt.Sprintf("Pulling image %q", x.spec.Image))
		k.emit(pod, x.fieldPath, v1.EventTypeNormal, "Pulled", fmt.Sprintf("Successfully pulled image %q in %v (%v including waiting). Image size: %d bytes.",
			x.spec.Image, 412*time.Millisecond, 412*time.Millisecond, img.size))
	} else {
		k.emit(pod, x.fieldPath, v1.EventTypeNormal, "Pulled", fmt.Sprintf("Container image %q already present on machine", x.spec.Image))
	}
	x.pullFailures, x.pullErr, x.nextPull = 0, "", time.Time{}

	// config: user, capabilities, environment
	cr, err := effectiveCreds(pod, x.name, x.spec.SecurityContext, img)
	var env []string
	home := img.home
	if err == nil && cr.uid != 0 && img.user == "" {
		home = "/"
	}
	if err == nil {
		ctx, cancel := context.WithTimeout(k.ctx, 10*time.Second)
		env, err = k.containerEnv(ctx, pod, &x.spec, img, home)
		cancel()
	}
	if err != nil {
		x.waitReason, x.waitMessage = "CreateContainerConfigError", err.Error()
		k.emit(pod, x.fieldPath, v1.EventTypeWarning, "Failed", "Error: "+err.Error())
		x.nextStart = now.Add(configRetry)
		return x.nextStart
	}
	// where the process goes
	var nsArgs []string
	ownPID := true
	if x.kind == kindEphemeral && x.target != "" {
		t := p.ctrs[x.target]
		if t == nil || t.cur == nil || !t.cur.running() || t.cur.initPID == 0 {
			x.waitReason, x.waitMessage = "CreateContainerError", fmt.Sprintf("container %q is not running (target of %q)", x.target, x.name)
			x.nextStart = now.Add(configRetry)
			return x.nextStart
		}
		// the target container's namespaces, PID namespace included (nsenter forks into it); its own mount namespace
		nsArgs = []string{"-t", strconv.Itoa(t.cur.initPID), "-p", "-n", "-i", "-u"}
		ownPID = false
	} else {
		nsArgs = []string{"-t", strconv.Itoa(p.sandbox.pid), "-n", "-i", "-u"}
	}
	// command replaces the image's entrypoint, args its CMD (the table's images have only a CMD)
	var argv []string
	switch {
	case len(x.spec.Command) > 0:
		argv = append(append(argv, x.spec.Command...), x.spec.Args...)
	case len(x.spec.Args) > 0:
		argv = append(argv, x.spec.Args...)
	default:
		argv = append(argv, img.cmd...)
	}
	argv = expandCommand(argv, env)
	dir := "/"
	if x.spec.WorkingDir != "" {
		if st, err := os.Stat(x.spec.WorkingDir); err == nil && st.IsDir() {
			dir = x.spec.WorkingDir
		}
	}
	in := &instance{
		id: newContainerID(), env: env, creds: cr, img: img, dir: dir,
		tty: x.spec.TTY, stdin: x.spec.Stdin, stdinOnce: x.spec.StdinOnce,
	}
	if x.cur != nil {
		x.prev = x.cur
		x.restartCount++
	}
	x.startErr, x.waitReason, x.waitMessage = "", "", ""
	k.emit(pod, x.fieldPath, v1.EventTypeNormal, "Created", "Container created")
	var prog string
	if len(argv) > 0 {
		prog, err = img.resolve(argv[0])
	} else {
		err = fmt.Errorf("no command specified")
	}
	if err == nil {
		in.argv = append([]string{execName(argv[0], prog)}, argv[1:]...)
		in.logPath = filepath.Join(p.dir, x.name, fmt.Sprintf("%d.log", x.restartCount))
		if err = os.MkdirAll(filepath.Dir(in.logPath), 0o755); err == nil {
			err = k.tools.launch(in, nsArgs, ownPID, func() { k.onExit(p, x, in) })
		}
	}
	if err != nil {
		// what containerd reports when runc cannot exec the entrypoint
		msg := fmt.Sprintf("failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: %v: unknown", err)
		x.cur = nil
		x.startErr = msg
		x.startErrAt(now)
		k.emit(pod, x.fieldPath, v1.EventTypeWarning, "Failed", "Error: "+msg)
		if x.kind != kindEphemeral && shouldRestart(pod, 128) {
			return now.Add(k.cfg.StatusLag)
		}
		return time.Time{}
	}
	x.cur = in
	x.nextStart = time.Time{}
	k.emit(pod, x.fieldPath, v1.EventTypeNormal, "Started", "Container started")
	return time.Time{}
}

// startErrAt records a StartError run (it counts as a run for restarts and lastState).
func (x *ctr) startErrAt(t time.Time) {
	x.cur = &instance{id: newContainerID(), exitCode: 128, finishedAt: t, exited: closedChan()}
	x.cur.startErr = x.startErr
}

func closedChan() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}
