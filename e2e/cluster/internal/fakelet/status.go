package fakelet

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	v1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// The API status lags the processes by StatusLag, like a kubelet whose PLEG relists every second: a status
// computed at time t shows what the runtime looked like at t-StatusLag. Every change schedules a write for when
// it becomes visible.

// writeStatusAfter schedules a status write d from now.
func (k *Kubelet) writeStatusAfter(p *podState, d time.Duration) {
	time.AfterFunc(d, func() { k.writeStatus(p) })
}

// writeStatus PATCHes pods/status (JSON merge patch with the pod's UID) when the view has changed.
func (k *Kubelet) writeStatus(p *podState) {
	p.writeMu.lock()
	defer p.writeMu.unlock()
	k.mu.Lock()
	if p.sandbox == nil && p.startTime.IsZero() {
		k.mu.Unlock()
		return
	}
	st := p.statusLocked(time.Now().Add(-k.cfg.StatusLag))
	patch := map[string]any{"metadata": map[string]any{"uid": p.uid}, "status": st}
	k.mu.Unlock()
	data, err := json.Marshal(patch)
	if err != nil || string(data) == p.lastPatch {
		return
	}
	ctx, cancel := context.WithTimeout(k.ctx, 30*time.Second)
	defer cancel()
	_, err = k.cs.CoreV1().Pods(p.ns).Patch(ctx, p.name, types.MergePatchType, data, metav1.PatchOptions{}, "status")
	switch {
	case err == nil:
		p.lastPatch = string(data)
	case apierrors.IsNotFound(err) || apierrors.IsConflict(err) || apierrors.IsInvalid(err) || k.ctx.Err() != nil:
		if apierrors.IsInvalid(err) {
			logf("status of %s rejected: %v", p.key, err)
		}
	default:
		logf("status of %s: %v (retrying)", p.key, err)
		k.writeStatusAfter(p, time.Second)
	}
}

// ctrView is how one container looks at a point in time.
type ctrView struct {
	st       v1.ContainerStatus
	running  bool
	termCode *int32
}

func (p *podState) viewLocked(x *ctr, asOf time.Time) ctrView {
	_, full := normalizeImage(x.spec.Image)
	v := ctrView{st: v1.ContainerStatus{Name: x.name, Image: x.spec.Image, RestartCount: x.restartCount}}
	cur, prev := x.cur, x.prev
	waitReason, waitMsg := x.waitReason, x.waitMessage
	if cur != nil && cur.cmd != nil && cur.startedAt.After(asOf) { // started, but not seen yet
		if prev != nil {
			cur, prev = prev, nil
			v.st.RestartCount--
		} else {
			cur = nil
			waitReason, waitMsg = "", ""
		}
	}
	terminated := func(in *instance) *v1.ContainerStateTerminated {
		t := &v1.ContainerStateTerminated{ExitCode: int32(in.exitCode), Reason: "Completed",
			StartedAt: metav1.NewTime(in.startedAt), FinishedAt: metav1.NewTime(in.finishedAt), ContainerID: "containerd://" + in.id}
		if in.exitCode != 0 {
			t.Reason = "Error"
		}
		if in.startErr != "" {
			t.Reason, t.Message, t.StartedAt = "StartError", in.startErr, metav1.Unix(0, 0)
		}
		return t
	}
	switch {
	case cur == nil:
		if waitReason == "" {
			waitReason = "ContainerCreating"
		}
		v.st.State.Waiting = &v1.ContainerStateWaiting{Reason: waitReason, Message: waitMsg}
	case cur.startErr == "" && (cur.running() || cur.finishedAt.After(asOf)):
		v.st.State.Running = &v1.ContainerStateRunning{StartedAt: metav1.NewTime(cur.startedAt)}
		v.running = true
	default:
		t := terminated(cur)
		v.termCode = &t.ExitCode
		if waitReason != "" && x.kind != kindEphemeral { // waiting to be restarted (CrashLoopBackOff, …)
			v.st.LastTerminationState.Terminated = t
			v.st.State.Waiting = &v1.ContainerStateWaiting{Reason: waitReason, Message: waitMsg}
		} else {
			v.st.State.Terminated = t
		}
	}
	if cur != nil {
		v.st.Image, v.st.ImageID, v.st.ContainerID = full, imageID(full), "containerd://"+cur.id
	}
	if prev != nil && v.st.LastTerminationState.Terminated == nil {
		v.st.LastTerminationState.Terminated = terminated(prev)
	}
	if x.kind != kindEphemeral {
		t := v.running
		v.st.Started = &t
		v.st.Ready = v.running
	}
	return v
}

// phaseLocked is the kubelet's getPhase for the view at asOf.
func (p *podState) phaseLocked(asOf time.Time) v1.PodPhase {
	pod := p.pod
	for _, c := range pod.Spec.InitContainers {
		x := p.ctrs[c.Name]
		if x == nil {
			return v1.PodPending
		}
		v := p.viewLocked(x, asOf)
		if v.termCode != nil && *v.termCode == 0 && v.st.State.Terminated != nil {
			continue
		}
		if v.termCode != nil && pod.Spec.RestartPolicy == v1.RestartPolicyNever {
			return v1.PodFailed
		}
		return v1.PodPending
	}
	var running, waiting, stopped, succeeded int
	for _, c := range pod.Spec.Containers {
		x := p.ctrs[c.Name]
		if x == nil {
			waiting++
			continue
		}
		v := p.viewLocked(x, asOf)
		switch {
		case v.running:
			running++
		case v.st.State.Terminated != nil:
			stopped++
			if v.st.State.Terminated.ExitCode == 0 {
				succeeded++
			}
		case v.st.LastTerminationState.Terminated != nil:
			stopped++
		default:
			waiting++
		}
	}
	switch {
	case waiting > 0:
		return v1.PodPending
	case running > 0:
		return v1.PodRunning
	case stopped > 0:
		switch pod.Spec.RestartPolicy {
		case v1.RestartPolicyAlways:
			return v1.PodRunning
		case v1.RestartPolicyOnFailure:
			if stopped == succeeded {
				return v1.PodSucceeded
			}
			return v1.PodRunning
		default:
			if stopped == succeeded {
				return v1.PodSucceeded
			}
			return v1.PodFailed
		}
	}
	return v1.PodPending
}

func (p *podState) statusLocked(asOf time.Time) v1.PodStatus {
	pod := p.pod
	st := v1.PodStatus{
		ObservedGeneration: pod.Generation,
		Phase:              p.phaseLocked(asOf),
		HostIP:             "127.0.0.1",
		HostIPs:            []v1.HostIP{{IP: "127.0.0.1"}},
		QOSClass:           pod.Status.QOSClass,
	}
	if !p.startTime.IsZero() {
		t := metav1.NewTime(p.startTime)
		st.StartTime = &t
	}
	var notInit, notReady []string
	view := func(c v1.Container) v1.ContainerStatus {
		x := p.ctrs[c.Name]
		if x == nil {
			return v1.ContainerStatus{Name: c.Name, Image: c.Image, State: v1.ContainerState{
				Waiting: &v1.ContainerStateWaiting{Reason: "PodInitializing"}}}
		}
		return p.viewLocked(x, asOf).st
	}
	for _, c := range pod.Spec.InitContainers {
		s := view(c)
		if s.State.Terminated == nil || s.State.Terminated.ExitCode != 0 {
			notInit = append(notInit, c.Name)
			if s.State.Waiting != nil && s.State.Waiting.Reason == "ContainerCreating" && p.ctrs[c.Name] != nil && p.ctrs[c.Name].cur == nil && len(notInit) > 1 {
				s.State.Waiting.Reason = "PodInitializing"
			}
		}
		s.Ready = s.State.Terminated != nil && s.State.Terminated.ExitCode == 0
		st.InitContainerStatuses = append(st.InitContainerStatuses, s)
	}
	for _, c := range pod.Spec.Containers {
		s := view(c)
		if len(notInit) > 0 && s.State.Waiting != nil && s.State.Waiting.Reason == "ContainerCreating" {
			s.State.Waiting.Reason = "PodInitializing"
		}
		if !s.Ready {
			notReady = append(notReady, c.Name)
		}
		st.ContainerStatuses = append(st.ContainerStatuses, s)
	}
	for _, c := range pod.Spec.EphemeralContainers {
		st.EphemeralContainerStatuses = append(st.EphemeralContainerStatuses, view(v1.Container(c.EphemeralContainerCommon)))
	}
	cond := func(t v1.PodConditionType, ok bool, reason, msg string) v1.PodCondition {
		s := v1.ConditionFalse
		if ok {
			s, reason, msg = v1.ConditionTrue, "", ""
		}
		prev, seen := p.transitions[t]
		if !seen || prev.status != s {
			prev = condState{status: s, at: time.Now()}
			p.transitions[t] = prev
		}
		return v1.PodCondition{Type: t, Status: s, Reason: reason, Message: msg,
			ObservedGeneration: pod.Generation, LastTransitionTime: metav1.NewTime(prev.at)}
	}
	list := func(names []string) string {
		sort.Strings(names)
		return "[" + strings.Join(names, " ") + "]"
	}
	readyReason := "ContainersNotReady"
	if st.Phase == v1.PodSucceeded || st.Phase == v1.PodFailed {
		readyReason = "PodCompleted"
	}
	st.Conditions = []v1.PodCondition{
		cond(v1.PodReadyToStartContainers, p.sandbox != nil, "", ""),
		cond(v1.PodInitialized, len(notInit) == 0, "ContainersNotInitialized", fmt.Sprintf("containers with incomplete status: %s", list(notInit))),
		cond(v1.PodReady, len(notReady) == 0, readyReason, fmt.Sprintf("containers with unready status: %s", list(notReady))),
		cond(v1.ContainersReady, len(notReady) == 0, readyReason, fmt.Sprintf("containers with unready status: %s", list(notReady))),
		cond(v1.PodScheduled, true, "", ""),
	}
	return st
}
