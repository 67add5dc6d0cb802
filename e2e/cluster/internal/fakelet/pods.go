package fakelet

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	v1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

type kind int

const (
	kindInit kind = iota
	kindRegular
	kindEphemeral
)

const (
	pullBackoffStart  = 10 * time.Second
	pullBackoffMax    = 300 * time.Second
	crashBackoffStart = 10 * time.Second
	crashBackoffMax   = 300 * time.Second
	configRetry       = 5 * time.Second
)

// ctr is one container of a pod across its restarts.
type ctr struct {
	name      string
	kind      kind
	spec      v1.Container
	target    string // targetContainerName of an ephemeral container
	fieldPath string

	cur, prev    *instance // the current (or last) run, and the one before
	restartCount int32

	// waiting state when there is no running instance (reason "" = never tried yet)
	waitReason, waitMessage string

	pullFailures int
	pullErr      string
	nextPull     time.Time
	nextStart    time.Time // CrashLoopBackOff / config-error retry
	crashBackoff time.Duration

	// terminated without a process (StartError)
	startErr string
}

// podState is everything the stand-in knows about one pod.
type podState struct {
	k       *Kubelet
	key     string
	ns      string
	name    string
	uid     types.UID
	pod     *v1.Pod
	sandbox *sandbox
	ctrs    map[string]*ctr
	dir     string

	kick        chan struct{}
	startTime   time.Time
	transitions map[v1.PodConditionType]condState
	writeMu     writeLock
	lastPatch   string
	finished    bool // the worker has ended
}

type condState struct {
	status v1.ConditionStatus
	at     time.Time
}

// writeLock serializes status writes of one pod.
type writeLock chan struct{}

func (c writeLock) lock()   { c <- struct{}{} }
func (c writeLock) unlock() { <-c }

func newPodState(k *Kubelet, pod *v1.Pod) *podState {
	return &podState{
		k: k, key: pod.Namespace + "/" + pod.Name, ns: pod.Namespace, name: pod.Name, uid: pod.UID, pod: pod,
		ctrs:        map[string]*ctr{},
		dir:         filepath.Join(k.cfg.StateDir, "pods", fmt.Sprintf("%s_%s_%s", pod.Namespace, pod.Name, pod.UID)),
		kick:        make(chan struct{}, 1),
		transitions: map[v1.PodConditionType]condState{},
		writeMu:     make(writeLock, 1),
	}
}

func (p *podState) kickLocked() {
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

// kickAfter wakes the worker after the status lag (the kubelet learns about process exits by relisting).
func (p *podState) kickAfter(d time.Duration) {
	time.AfterFunc(d, func() {
		p.k.mu.Lock()
		defer p.k.mu.Unlock()
		p.kickLocked()
	})
}

func (k *Kubelet) podWorker(p *podState) {
	var timer *time.Timer
	var wake <-chan time.Time
	for {
		select {
		case <-k.ctx.Done():
			return
		case <-p.kick:
		case <-wake:
		}
		obj, exists, _ := k.store.GetByKey(p.key)
		pod, _ := obj.(*v1.Pod)
		if !exists || pod == nil || pod.UID != p.uid {
			k.mu.Lock()
			p.killAllLocked()
			p.finished = true
			if k.pods[p.key] == p {
				delete(k.pods, p.key)
			}
			k.mu.Unlock()
			_ = os.RemoveAll(p.dir)
			return
		}
		if pod.DeletionTimestamp != nil {
			k.terminate(p, pod)
			continue // the next notification is the deletion
		}
		k.mu.Lock()
		p.pod = pod
		next := k.syncLocked(p)
		k.mu.Unlock()
		k.writeStatusAfter(p, k.cfg.StatusLag)
		if timer != nil {
			timer.Stop()
			wake = nil
		}
		if !next.IsZero() {
			timer = time.NewTimer(time.Until(next))
			wake = timer.C
		}
	}
}

// syncLocked brings the pod's processes in line with its spec, like the kubelet's SyncPod. It returns when the
// worker should look again (zero: only on the next notification).
func (k *Kubelet) syncLocked(p *podState) (next time.Time) {
	pod := p.pod
	if p.finished {
		return time.Time{}
	}
	wakeAt := func(t time.Time) {
		if !t.IsZero() && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	if p.sandbox == nil {
		if p.startTime.IsZero() {
			p.startTime = time.Now()
			k.writeStatusAfter(p, 0) // Pending / ContainerCreating, right away like the kubelet's first status
		}
		if err := os.MkdirAll(p.dir, 0o755); err != nil {
			logf("pod %s: %v", p.key, err)
		}
		sb, err := k.tools.startSandbox(podHostname(pod))
		if err != nil {
			logf("pod %s: %v", p.key, err)
			k.emit(pod, "", v1.EventTypeWarning, "FailedCreatePodSandBox", "Failed to create pod sandbox: "+err.Error())
			wakeAt(time.Now().Add(5 * time.Second))
			return next
		}
		p.sandbox = sb
	}
	// containers from the spec
	for i := range pod.Spec.InitContainers {
		p.ensureCtr(pod.Spec.InitContainers[i], kindInit, "", fmt.Sprintf("spec.initContainers{%s}", pod.Spec.InitContainers[i].Name))
	}
	for i := range pod.Spec.Containers {
		p.ensureCtr(pod.Spec.Containers[i], kindRegular, "", fmt.Sprintf("spec.containers{%s}", pod.Spec.Containers[i].Name))
	}
	for i := range pod.Spec.EphemeralContainers {
		ec := pod.Spec.EphemeralContainers[i]
		p.ensureCtr(v1.Container(ec.EphemeralContainerCommon), kindEphemeral, ec.TargetContainerName,
			fmt.Sprintf("spec.ephemeralContainers{%s}", ec.Name))
	}
	if k.podFinishedLocked(p) {
		return time.Time{}
	}
	now := time.Now()
	// init containers, one after the other
	initDone := true
	for _, c := range pod.Spec.InitContainers {
		x := p.ctrs[c.Name]
		if x.cur != nil && x.cur.running() {
			initDone = false
			break
		}
		if x.terminated() && x.exitCode() == 0 {
			continue
		}
		initDone = false
		if x.terminated() && !restartAfterFailure(pod) {
			break // the pod fails
		}
		wakeAt(k.startOrRetryLocked(p, x, now))
		break
	}
	if initDone {
		for _, c := range pod.Spec.Containers {
			x := p.ctrs[c.Name]
			if x.cur != nil && x.cur.running() {
				continue
			}
			if x.terminated() && !shouldRestart(pod, x.exitCode()) {
				continue
			}
			wakeAt(k.startOrRetryLocked(p, x, now))
		}
	}
	// ephemeral containers: started once, never restarted
	for _, c := range pod.Spec.EphemeralContainers {
		x := p.ctrs[c.Name]
		if x.cur != nil || x.startErr != "" {
			continue
		}
		wakeAt(k.startOrRetryLocked(p, x, now))
	}
	return next
}

func (p *podState) ensureCtr(spec v1.Container, kd kind, target, fieldPath string) {
	if _, ok := p.ctrs[spec.Name]; ok {
		return
	}
	p.ctrs[spec.Name] = &ctr{name: spec.Name, kind: kd, spec: spec, target: target, fieldPath: fieldPath}
}

func (x *ctr) terminated() bool {
	return x.startErr != "" || (x.cur != nil && !x.cur.running())
}

func (x *ctr) exitCode() int {
	if x.startErr != "" {
		return 128
	}
	if x.cur != nil {
		return x.cur.exitCode
	}
	return 0
}

func restartAfterFailure(pod *v1.Pod) bool { return pod.Spec.RestartPolicy != v1.RestartPolicyNever }

func shouldRestart(pod *v1.Pod, code int) bool {
	switch pod.Spec.RestartPolicy {
	case v1.RestartPolicyNever:
		return false
	case v1.RestartPolicyOnFailure:
		return code != 0
	}
	return true
}

// podFinishedLocked: all regular containers are done for good (restartPolicy Never/OnFailure).
func (k *Kubelet) podFinishedLocked(p *podState) bool {
	phase := p.phaseLocked(time.Now().Add(time.Hour))
	return phase == v1.PodSucceeded || phase == v1.PodFailed
}

// onExit runs when a container's process has exited: the API learns it after the status lag.
func (k *Kubelet) onExit(p *podState, x *ctr, in *instance) {
	k.writeStatusAfter(p, k.cfg.StatusLag)
	p.kickAfter(k.cfg.StatusLag)
}

// terminate handles a graceful deletion: SIGTERM, the grace period, SIGKILL, the final status, then the delete
// with grace period 0 and a UID precondition that removes the pod from the API (what the kubelet does).
func (k *Kubelet) terminate(p *podState, pod *v1.Pod) {
	k.mu.Lock()
	p.pod = pod
	grace := int64(30)
	if pod.DeletionGracePeriodSeconds != nil {
		grace = *pod.DeletionGracePeriodSeconds
	}
	var running []*instance
	for _, x := range p.ctrs {
		if x.cur != nil && x.cur.running() {
			running = append(running, x.cur)
			k.emit(pod, x.fieldPath, v1.EventTypeNormal, "Killing", fmt.Sprintf("Stopping container %s", x.name))
		}
	}
	k.mu.Unlock()
	for _, in := range running {
		in.signal(syscall.SIGTERM)
	}
	deadline := time.After(time.Duration(grace) * time.Second)
	for _, in := range running {
		select {
		case <-in.exited:
		case <-deadline:
			for _, r := range running {
				r.signal(syscall.SIGKILL)
			}
			<-in.exited
		}
	}
	k.mu.Lock()
	p.killAllLocked()
	k.mu.Unlock()
	k.writeStatus(p)
	ctx, cancel := context.WithTimeout(k.ctx, 30*time.Second)
	defer cancel()
	zero := int64(0)
	err := k.cs.CoreV1().Pods(pod.Namespace).Delete(ctx, pod.Name, metav1.DeleteOptions{
		GracePeriodSeconds: &zero, Preconditions: &metav1.Preconditions{UID: &p.uid}})
	if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
		logf("delete pod %s: %v", p.key, err)
		p.kickAfter(time.Second)
	}
}

// killAllLocked kills every process of the pod at once (the pod is gone, or the node shuts down).
func (p *podState) killAllLocked() {
	for _, x := range p.ctrs {
		if x.cur != nil && x.cur.running() {
			x.cur.signal(syscall.SIGKILL)
		}
	}
	if p.sandbox != nil {
		p.sandbox.kill()
	}
}
