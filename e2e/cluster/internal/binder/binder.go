// Package binder is the scheduler's part that a one-node test cluster needs: it binds every unscheduled pod to
// the node, with the scheduler's "Scheduled" event. (No kube-scheduler runs on the e2e control plane.)
package binder

import (
	"context"
	"fmt"
	"log"
	"time"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
)

// Run binds unscheduled pods to node until ctx ends; ready is called once the informer has synced.
func Run(ctx context.Context, kubeconfig, node string, ready func()) error {
	rc, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return err
	}
	rc.QPS, rc.Burst = 200, 400
	rc.UserAgent = "kdbg-envd-binder"
	cs, err := kubernetes.NewForConfig(rc)
	if err != nil {
		return err
	}
	f := informers.NewSharedInformerFactoryWithOptions(cs, 0, informers.WithTweakListOptions(func(o *metav1.ListOptions) {
		o.FieldSelector = fields.OneTermEqualSelector("spec.nodeName", "").String()
	}))
	inf := f.Core().V1().Pods().Informer()
	bind := func(obj any) {
		pod, ok := obj.(*v1.Pod)
		if !ok || pod.Spec.NodeName != "" || pod.DeletionTimestamp != nil {
			return
		}
		go func() {
			b := &v1.Binding{
				ObjectMeta: metav1.ObjectMeta{Name: pod.Name, Namespace: pod.Namespace, UID: pod.UID},
				Target:     v1.ObjectReference{Kind: "Node", Name: node},
			}
			if err := cs.CoreV1().Pods(pod.Namespace).Bind(ctx, b, metav1.CreateOptions{}); err != nil {
				log.Printf("binder: %s/%s: %v", pod.Namespace, pod.Name, err)
				return // already bound, or gone
			}
			now := metav1.Now()
			ev := &v1.Event{
				ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("%s.%x", pod.Name, time.Now().UnixNano()), Namespace: pod.Namespace},
				InvolvedObject: v1.ObjectReference{Kind: "Pod", Namespace: pod.Namespace, Name: pod.Name, UID: pod.UID,
					APIVersion: "v1", ResourceVersion: pod.ResourceVersion},
				Reason: "Scheduled", Message: fmt.Sprintf("Successfully assigned %s/%s to %s", pod.Namespace, pod.Name, node),
				Type: v1.EventTypeNormal, Count: 1, FirstTimestamp: now, LastTimestamp: now,
				Source: v1.EventSource{Component: "default-scheduler"}, ReportingController: "default-scheduler",
			}
			if _, err := cs.CoreV1().Events(pod.Namespace).Create(ctx, ev, metav1.CreateOptions{}); err != nil && ctx.Err() == nil {
				log.Printf("binder: event %s/%s: %v", pod.Namespace, pod.Name, err)
			}
		}()
	}
	if _, err := inf.AddEventHandler(cache.ResourceEventHandlerFuncs{AddFunc: bind, UpdateFunc: func(_, o any) { bind(o) }}); err != nil {
		return err
	}
	f.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), inf.HasSynced) {
		return ctx.Err()
	}
	ready()
	<-ctx.Done()
	f.Shutdown()
	return nil
}
