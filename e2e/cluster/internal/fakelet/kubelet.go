// Package fakelet is a kubelet stand-in for a test control plane: it registers a Node, binds unscheduled pods to
// it, runs each pod as host processes in fresh namespaces, writes their statuses and events like a kubelet on
// containerd, and serves /attach, /exec and /containerLogs with the kubelet's own streaming library.
package fakelet

import (
	"context"
	"fmt"
	"log"
	"os"
	"sync"
	"time"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
)

// Config configures the stand-in.
type Config struct {
	NodeName   string
	Kubeconfig string        // admin kubeconfig
	Port       int           // HTTPS port of /attach, /exec, /containerLogs
	StateDir   string        // logs and image link farms
	StatusLag  time.Duration // how long after a change in a container the API status reflects it
	Version    string        // kubeletVersion reported on the Node
}

// Kubelet is the stand-in.
type Kubelet struct {
	cfg    Config
	cs     kubernetes.Interface
	tools  tools
	images *imageStore
	store  cache.Store
	events chan *v1.Event

	mu   sync.Mutex
	pods map[string]*podState // by namespace/name
	ctx  context.Context
}

func logf(format string, args ...any) { log.Printf("fakelet: "+format, args...) }

// Run registers the node and serves until ctx ends, then kills every pod's processes. ready is called once the
// node is registered, the pod informer has synced and the streaming server listens.
func Run(ctx context.Context, cfg Config, ready func()) error {
	if cfg.StatusLag <= 0 {
		cfg.StatusLag = 500 * time.Millisecond
	}
	rc, err := clientcmd.BuildConfigFromFlags("", cfg.Kubeconfig)
	if err != nil {
		return err
	}
	rc.QPS, rc.Burst = 200, 400
	rc.UserAgent = "kubelet/" + cfg.Version + " (kdbg-envd)"
	cs, err := kubernetes.NewForConfig(rc)
	if err != nil {
		return err
	}
	t, err := findTools()
	if err != nil {
		return err
	}
	// not under the state dir: that is usually in /tmp, which every container has a private one of
	imagesDir, err := os.MkdirTemp("/var/tmp", "kdbg-envd-images-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(imagesDir)
	images, err := newImageStore(imagesDir)
	if err != nil {
		return err
	}
	k := &Kubelet{cfg: cfg, cs: cs, tools: t, images: images, pods: map[string]*podState{}, ctx: ctx,
		events: make(chan *v1.Event, 1024)}
	go k.eventWriter(ctx)

	stopServer, err := k.serveStreaming()
	if err != nil {
		return err
	}
	defer stopServer()
	if err := k.registerNode(ctx); err != nil {
		return err
	}

	factory := informers.NewSharedInformerFactory(cs, 0)
	inf := factory.Core().V1().Pods().Informer()
	_, _ = inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { k.onPod(obj) },
		UpdateFunc: func(_, obj any) { k.onPod(obj) },
		DeleteFunc: func(obj any) {
			if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
				obj = d.Obj
			}
			k.onPod(obj)
		},
	})
	k.store = inf.GetStore()
	factory.Start(ctx.Done())
	for typ, ok := range factory.WaitForCacheSync(ctx.Done()) {
		if !ok {
			return fmt.Errorf("informer for %v did not sync", typ)
		}
	}
	ready()
	<-ctx.Done()
	k.shutdown()
	return nil
}

func (k *Kubelet) registerNode(ctx context.Context) error {
	q := func(s string) resource.Quantity { return resource.MustParse(s) }
	capacity := v1.ResourceList{v1.ResourceCPU: q("2"), v1.ResourceMemory: q("4Gi"), v1.ResourcePods: q("110"),
		v1.ResourceEphemeralStorage: q("20Gi")}
	now := metav1.Now()
	node := &v1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: k.cfg.NodeName, Labels: map[string]string{
			"kubernetes.io/hostname": k.cfg.NodeName, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
			"beta.kubernetes.io/os": "linux", "beta.kubernetes.io/arch": "amd64",
		}},
		Status: v1.NodeStatus{
			Capacity:        capacity,
			Allocatable:     capacity,
			Phase:           v1.NodeRunning,
			Addresses:       []v1.NodeAddress{{Type: v1.NodeInternalIP, Address: "127.0.0.1"}, {Type: v1.NodeHostName, Address: k.cfg.NodeName}},
			DaemonEndpoints: v1.NodeDaemonEndpoints{KubeletEndpoint: v1.DaemonEndpoint{Port: int32(k.cfg.Port)}},
			Conditions: []v1.NodeCondition{
				{Type: v1.NodeMemoryPressure, Status: v1.ConditionFalse, Reason: "KubeletHasSufficientMemory", Message: "kubelet has sufficient memory available", LastHeartbeatTime: now, LastTransitionTime: now},
				{Type: v1.NodeDiskPressure, Status: v1.ConditionFalse, Reason: "KubeletHasNoDiskPressure", Message: "kubelet has no disk pressure", LastHeartbeatTime: now, LastTransitionTime: now},
				{Type: v1.NodePIDPressure, Status: v1.ConditionFalse, Reason: "KubeletHasSufficientPID", Message: "kubelet has sufficient PID available", LastHeartbeatTime: now, LastTransitionTime: now},
				{Type: v1.NodeReady, Status: v1.ConditionTrue, Reason: "KubeletReady", Message: "kubelet is posting ready status", LastHeartbeatTime: now, LastTransitionTime: now},
			},
			NodeInfo: v1.NodeSystemInfo{
				KubeletVersion: k.cfg.Version, KubeProxyVersion: "", OperatingSystem: "linux", Architecture: "amd64",
				ContainerRuntimeVersion: "containerd://2.1.4", OSImage: "kdbg-envd", KernelVersion: kernelVersion(),
			},
			// status.declaredFeatures stays unset, so the apiserver keeps translating WebSocket v5 to SPDY.
		},
	}
	_ = k.cs.CoreV1().Nodes().Delete(ctx, node.Name, metav1.DeleteOptions{})
	created, err := k.cs.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{})
	if err != nil {
		return fmt.Errorf("register node: %w", err)
	}
	created.Status = node.Status
	if _, err := k.cs.CoreV1().Nodes().UpdateStatus(ctx, created, metav1.UpdateOptions{}); err != nil {
		return fmt.Errorf("node status: %w", err)
	}
	return nil
}

func kernelVersion() string {
	b, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	return string(trimNL(b))
}

func trimNL(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

// onPod routes informer notifications: unscheduled pods are bound to this node, this node's pods go to their
// pod worker (one goroutine per pod, like the kubelet's pod workers).
func (k *Kubelet) onPod(obj any) {
	pod, ok := obj.(*v1.Pod)
	if !ok {
		return
	}
	key := pod.Namespace + "/" + pod.Name
	if pod.Spec.NodeName == "" {
		if pod.DeletionTimestamp == nil {
			go k.bind(pod)
		}
		return
	}
	if pod.Spec.NodeName != k.cfg.NodeName {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	p := k.pods[key]
	if p != nil && p.uid != pod.UID {
		// the same name, a new pod: the old one's worker finds it gone and cleans up
		p.kickLocked()
		p = nil
	}
	if p == nil {
		if _, exists, _ := k.store.Get(pod); !exists {
			return // a delete notification for a pod we never ran
		}
		p = newPodState(k, pod)
		k.pods[key] = p
		go k.podWorker(p)
	}
	p.kickLocked()
}

func (k *Kubelet) bind(pod *v1.Pod) {
	b := &v1.Binding{
		ObjectMeta: metav1.ObjectMeta{Name: pod.Name, Namespace: pod.Namespace, UID: pod.UID},
		Target:     v1.ObjectReference{Kind: "Node", Name: k.cfg.NodeName},
	}
	if err := k.cs.CoreV1().Pods(pod.Namespace).Bind(k.ctx, b, metav1.CreateOptions{}); err != nil {
		return // already bound, or gone
	}
	k.emit(pod, "", v1.EventTypeNormal, "Scheduled",
		fmt.Sprintf("Successfully assigned %s/%s to %s", pod.Namespace, pod.Name, k.cfg.NodeName), "default-scheduler")
}

// emit queues an event about a pod (fieldPath "" ) or one of its containers (e.g. "spec.containers{app}").
func (k *Kubelet) emit(pod *v1.Pod, fieldPath, typ, reason, msg string, component ...string) {
	comp := "kubelet"
	if len(component) > 0 {
		comp = component[0]
	}
	now := metav1.Now()
	ev := &v1.Event{
		ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("%s.%x", pod.Name, time.Now().UnixNano()), Namespace: pod.Namespace},
		InvolvedObject: v1.ObjectReference{Kind: "Pod", Namespace: pod.Namespace, Name: pod.Name, UID: pod.UID,
			APIVersion: "v1", ResourceVersion: pod.ResourceVersion, FieldPath: fieldPath},
		Reason: reason, Message: msg, Type: typ, Count: 1, FirstTimestamp: now, LastTimestamp: now,
		Source:              v1.EventSource{Component: comp},
		ReportingController: comp,
	}
	if comp == "kubelet" {
		ev.Source.Host = k.cfg.NodeName
		ev.ReportingInstance = k.cfg.NodeName
	}
	select {
	case k.events <- ev:
	default: // never block a pod worker on events
	}
}

func (k *Kubelet) eventWriter(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case ev := <-k.events:
			if _, err := k.cs.CoreV1().Events(ev.Namespace).Create(ctx, ev, metav1.CreateOptions{}); err != nil && ctx.Err() == nil {
				logf("event %s/%s: %v", ev.Namespace, ev.Reason, err)
			}
		}
	}
}

// shutdown kills every pod's processes (the node goes away with its containers).
func (k *Kubelet) shutdown() {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, p := range k.pods {
		p.killAllLocked()
	}
}
