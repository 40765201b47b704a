// Command harness plays kubelet (and the argoexec `wait` sidecar) for Argo
// Workflows' workflow-controller on a control plane with no nodes, and
// measures step-to-step latency of N concurrent 10-step linear Workflows.
//
// For every new Workflow pod it sees it:
//  1. (unless -taskresult=false) creates the WorkflowTaskResult the `wait`
//     sidecar would create: name = pod annotation workflows.argoproj.io/node-id,
//     labels workflows.argoproj.io/workflow=<wf> and
//     workflows.argoproj.io/report-outputs-completed=true, owner = the Workflow;
//  2. writes the pod's status: phase Succeeded, conditions, init/container
//     statuses terminated with exit code 0 (init, wait, main).
//
// Latency of a transition = time the harness saw pod k+1 (watch ADDED event)
// minus the time the status write of pod k returned. All times are taken on
// this process's monotonic clock.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

var (
	wfGVR = schema.GroupVersionResource{Group: "argoproj.io", Version: "v1alpha1", Resource: "workflows"}
	trGVR = schema.GroupVersionResource{Group: "argoproj.io", Version: "v1alpha1", Resource: "workflowtaskresults"}
)

type podRec struct {
	wf, node, pod string
	step          int
	seen          time.Time // harness saw the pod (ADDED)
	done          time.Time // pod status Succeeded write returned
}

type wfRec struct {
	name      string
	submitted time.Time
	finished  time.Time
	phase     string
}

func main() {
	kubeconfig := flag.String("kubeconfig", os.Getenv("KUBECONFIG"), "kubeconfig")
	ns := flag.String("namespace", "argo-bench", "namespace")
	n := flag.Int("n", 1, "concurrent workflows")
	steps := flag.Int("steps", 10, "steps per workflow")
	label := flag.String("label", "run", "label for this run (prefix of workflow names)")
	taskResult := flag.Bool("taskresult", true, "create a completed WorkflowTaskResult before writing pod status (as the wait sidecar does)")
	timeout := flag.Duration("timeout", 5*time.Minute, "give up after")
	out := flag.String("out", "", "write raw per-pod records (JSON lines) here")
	qps := flag.Float64("qps", 200, "client qps")
	flag.Parse()

	cfg, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	must(err)
	cfg.QPS, cfg.Burst = float32(*qps), int(*qps*2)
	kc := kubernetes.NewForConfigOrDie(cfg)
	dc := dynamic.NewForConfigOrDie(cfg)
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()

	var mu sync.Mutex
	pods := map[string]*podRec{}
	wfs := map[string]*wfRec{}
	prefix := fmt.Sprintf("%s-%d-", *label, time.Now().Unix()%100000)

	// Watches start before submitting. A watch the apiserver closes (or ends
	// with an ERROR event) is reopened after a fresh List whose items are
	// replayed as ADDED, so no pod or workflow completion is missed.
	podEvents := make(chan watch.Event, 1000)
	wfEvents := make(chan watch.Event, 1000)
	go rewatch(ctx, "pods", podEvents, func() (string, []watch.Event, error) {
		l, err := kc.CoreV1().Pods(*ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return "", nil, err
		}
		var evs []watch.Event
		for i := range l.Items {
			evs = append(evs, watch.Event{Type: watch.Added, Object: &l.Items[i]})
		}
		return l.ResourceVersion, evs, nil
	}, func(rv string) (watch.Interface, error) {
		return kc.CoreV1().Pods(*ns).Watch(ctx, metav1.ListOptions{ResourceVersion: rv})
	})
	go rewatch(ctx, "workflows", wfEvents, func() (string, []watch.Event, error) {
		l, err := dc.Resource(wfGVR).Namespace(*ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return "", nil, err
		}
		var evs []watch.Event
		for i := range l.Items {
			evs = append(evs, watch.Event{Type: watch.Added, Object: &l.Items[i]})
		}
		return l.GetResourceVersion(), evs, nil
	}, func(rv string) (watch.Interface, error) {
		return dc.Resource(wfGVR).Namespace(*ns).Watch(ctx, metav1.ListOptions{ResourceVersion: rv})
	})
	time.Sleep(300 * time.Millisecond) // let both watches open

	allDone := make(chan struct{})
	var once sync.Once
	go func() {
		for ev := range wfEvents {
			if ev.Type != watch.Modified && ev.Type != watch.Added {
				continue
			}
			u := ev.Object.(*unstructured.Unstructured)
			phase, _, _ := unstructured.NestedString(u.Object, "status", "phase")
			now := time.Now()
			mu.Lock()
			w, ok := wfs[u.GetName()]
			if ok && w.finished.IsZero() && (phase == "Succeeded" || phase == "Failed" || phase == "Error") {
				w.finished, w.phase = now, phase
				fin := 0
				for _, x := range wfs {
					if !x.finished.IsZero() {
						fin++
					}
				}
				if fin == *n {
					once.Do(func() { close(allDone) })
				}
			}
			mu.Unlock()
		}
	}()

	handle := func(p *corev1.Pod, rec *podRec) {
		if *taskResult {
			tr := &unstructured.Unstructured{Object: map[string]interface{}{
				"apiVersion": "argoproj.io/v1alpha1", "kind": "WorkflowTaskResult",
				"metadata": map[string]interface{}{
					"name": p.Annotations["workflows.argoproj.io/node-id"],
					"labels": map[string]interface{}{
						"workflows.argoproj.io/workflow":                 rec.wf,
						"workflows.argoproj.io/report-outputs-completed": "true",
					},
				},
			}}
			for _, o := range p.OwnerReferences {
				if o.Kind == "Workflow" {
					tr.SetOwnerReferences([]metav1.OwnerReference{{APIVersion: o.APIVersion, Kind: o.Kind, Name: o.Name, UID: o.UID}})
				}
			}
			if _, err := dc.Resource(trGVR).Namespace(*ns).Create(ctx, tr, metav1.CreateOptions{}); err != nil {
				fmt.Fprintln(os.Stderr, "taskresult create:", err)
			}
		}
		now := metav1.NewTime(time.Now())
		term := func(name string) corev1.ContainerStatus {
			return corev1.ContainerStatus{Name: name, Ready: false, Started: boolp(false), Image: "fake", ImageID: "fake", ContainerID: "containerd://" + p.Name + "-" + name,
				State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 0, Reason: "Completed", StartedAt: now, FinishedAt: now, ContainerID: "containerd://" + p.Name + "-" + name}}}
		}
		st := corev1.PodStatus{Phase: corev1.PodSucceeded, StartTime: &now, HostIP: "127.0.0.1", PodIP: "127.0.0.1",
			Conditions: []corev1.PodCondition{
				{Type: corev1.PodScheduled, Status: corev1.ConditionTrue, LastTransitionTime: now},
				{Type: corev1.PodInitialized, Status: corev1.ConditionTrue, LastTransitionTime: now},
				{Type: corev1.ContainersReady, Status: corev1.ConditionFalse, Reason: "PodCompleted", LastTransitionTime: now},
				{Type: corev1.PodReady, Status: corev1.ConditionFalse, Reason: "PodCompleted", LastTransitionTime: now},
			}}
		for _, c := range p.Spec.InitContainers {
			st.InitContainerStatuses = append(st.InitContainerStatuses, term(c.Name))
		}
		for _, c := range p.Spec.Containers {
			st.ContainerStatuses = append(st.ContainerStatuses, term(c.Name))
		}
		p = p.DeepCopy()
		p.Status = st
		for attempt := 0; attempt < 5; attempt++ {
			_, err := kc.CoreV1().Pods(*ns).UpdateStatus(ctx, p, metav1.UpdateOptions{})
			if err == nil {
				break
			}
			fmt.Fprintln(os.Stderr, "status update:", err)
			cur, gerr := kc.CoreV1().Pods(*ns).Get(ctx, p.Name, metav1.GetOptions{})
			if gerr != nil {
				return
			}
			cur.Status = st
			p = cur
		}
		t := time.Now()
		mu.Lock()
		rec.done = t
		mu.Unlock()
	}

	go func() {
		for ev := range podEvents {
			if ev.Type != watch.Added {
				continue
			}
			now := time.Now()
			p := ev.Object.(*corev1.Pod)
			wf := p.Labels["workflows.argoproj.io/workflow"]
			if !strings.HasPrefix(wf, prefix) || p.Status.Phase == corev1.PodSucceeded {
				continue
			}
			mu.Lock()
			_, dup := pods[p.Name]
			mu.Unlock()
			if dup {
				continue
			}
			node := p.Annotations["workflows.argoproj.io/node-name"]
			step := -1
			// node name: <wf>[k].s<k>
			if i := strings.LastIndex(node, ".s"); i >= 0 {
				fmt.Sscanf(node[i+2:], "%d", &step)
			}
			rec := &podRec{wf: wf, node: node, pod: p.Name, step: step, seen: now}
			mu.Lock()
			pods[p.Name] = rec
			mu.Unlock()
			go handle(p, rec)
		}
	}()

	// Submit.
	t0 := time.Now()
	var swg sync.WaitGroup
	for i := 0; i < *n; i++ {
		name := fmt.Sprintf("%s%02d", prefix, i)
		mu.Lock()
		wfs[name] = &wfRec{name: name, submitted: time.Now()}
		mu.Unlock()
		swg.Add(1)
		go func() {
			defer swg.Done()
			_, err := dc.Resource(wfGVR).Namespace(*ns).Create(ctx, workflow(name, *steps), metav1.CreateOptions{})
			must(err)
		}()
	}
	swg.Wait()

	select {
	case <-allDone:
	case <-ctx.Done():
		fmt.Println("TIMEOUT: not all workflows finished")
	}
	total := time.Since(t0)
	cancel()

	mu.Lock()
	defer mu.Unlock()
	byWf := map[string][]*podRec{}
	for _, r := range pods {
		byWf[r.wf] = append(byWf[r.wf], r)
	}
	var trans, first, wfDur []float64
	for name, w := range wfs {
		rs := byWf[name]
		sort.Slice(rs, func(i, j int) bool { return rs[i].step < rs[j].step })
		if len(rs) > 0 {
			first = append(first, rs[0].seen.Sub(w.submitted).Seconds()*1000)
		}
		for i := 0; i+1 < len(rs); i++ {
			if rs[i].done.IsZero() || rs[i+1].step != rs[i].step+1 {
				continue
			}
			trans = append(trans, rs[i+1].seen.Sub(rs[i].done).Seconds()*1000)
		}
		if !w.finished.IsZero() {
			wfDur = append(wfDur, w.finished.Sub(w.submitted).Seconds())
		}
	}
	phases := map[string]int{}
	for _, w := range wfs {
		phases[w.phase]++
	}
	fmt.Printf("run=%s n=%d steps=%d taskresult=%v pods_seen=%d phases=%v\n", *label, *n, *steps, *taskResult, len(pods), phases)
	fmt.Printf("step transition (pod k Succeeded written -> pod k+1 seen), ms: count=%d %s\n", len(trans), stats(trans))
	fmt.Printf("submit -> first pod seen, ms: %s\n", stats(first))
	fmt.Printf("per-workflow submit -> Succeeded observed, s: %s\n", stats(wfDur))
	fmt.Printf("total wall time (submit of first -> all finished): %.2fs\n", total.Seconds())
	if *out != "" {
		f, err := os.Create(*out)
		must(err)
		defer f.Close()
		enc := json.NewEncoder(f)
		for _, r := range pods {
			enc.Encode(map[string]interface{}{"wf": r.wf, "node": r.node, "pod": r.pod, "step": r.step,
				"seen_ms": r.seen.Sub(t0).Seconds() * 1000, "done_ms": r.done.Sub(t0).Seconds() * 1000})
		}
		for _, w := range wfs {
			enc.Encode(map[string]interface{}{"wf": w.name, "submitted_ms": w.submitted.Sub(t0).Seconds() * 1000,
				"finished_ms": w.finished.Sub(t0).Seconds() * 1000, "phase": w.phase})
		}
	}
}

func stats(v []float64) string {
	if len(v) == 0 {
		return "n/a"
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	q := func(p float64) float64 {
		i := int(p*float64(len(s)-1) + 0.5)
		return s[i]
	}
	return fmt.Sprintf("min=%.1f median=%.1f p99=%.1f max=%.1f", s[0], q(0.5), q(0.99), s[len(s)-1])
}

func workflow(name string, steps int) *unstructured.Unstructured {
	var stepList []interface{}
	var templates []interface{}
	templates = append(templates, nil) // placeholder for main
	for i := 0; i < steps; i++ {
		stepList = append(stepList, []interface{}{map[string]interface{}{"name": fmt.Sprintf("s%d", i), "template": "step"}})
	}
	templates[0] = map[string]interface{}{"name": "main", "steps": stepList}
	templates = append(templates, map[string]interface{}{"name": "step",
		"container": map[string]interface{}{"image": "busybox:1.36", "command": []interface{}{"true"}}})
	return &unstructured.Unstructured{Object: map[string]interface{}{
		"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow",
		"metadata": map[string]interface{}{"name": name},
		"spec":     map[string]interface{}{"entrypoint": "main", "templates": templates},
	}}
}

// rewatch lists then watches, forever (until ctx ends), reopening the watch
// whenever it closes or reports an error.
func rewatch(ctx context.Context, what string, out chan<- watch.Event,
	list func() (string, []watch.Event, error), open func(rv string) (watch.Interface, error)) {
	first := true
	for ctx.Err() == nil {
		rv, evs, err := list()
		if err != nil {
			fmt.Fprintln(os.Stderr, what, "list:", err)
			time.Sleep(200 * time.Millisecond)
			continue
		}
		if !first {
			fmt.Fprintln(os.Stderr, what, "watch reopened after a List")
			for _, e := range evs {
				out <- e
			}
		}
		first = false
		w, err := open(rv)
		if err != nil {
			fmt.Fprintln(os.Stderr, what, "watch:", err)
			time.Sleep(200 * time.Millisecond)
			continue
		}
		for ev := range w.ResultChan() {
			if ev.Type == watch.Error {
				if ctx.Err() != nil {
					break // our own shutdown
				}
				fmt.Fprintln(os.Stderr, what, "watch error event:", ev.Object)
				break
			}
			out <- ev
		}
		w.Stop()
	}
}

func boolp(b bool) *bool { return &b }

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "fatal:", err)
		os.Exit(1)
	}
}
