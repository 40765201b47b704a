// Command harness plays kubelet (and Tekton's entrypoint binary) for Tekton
// Pipelines' controller on a control plane with no nodes, and measures
// step-to-step latency of N concurrent PipelineRuns of 10 linear tasks
// (t0..t9, each a TaskRun with one step, so one pod per task).
//
// For every new Tekton pod it sees it writes the pod's status: phase
// Succeeded, conditions, every init container terminated with exit code 0,
// and every container terminated with exit code 0; a step container
// ("step-*") also gets the termination message Tekton's entrypoint writes
// (pkg/entrypoint/entrypointer.go v1.6.0): a JSON array of
// result.RunResult, here only [{"key":"StartedAt","value":<time>,"type":3}]
// (type 3 = InternalTektonResultType, time layout 2006-01-02T15:04:05.000Z07:00).
//
// Latency of a transition = time the harness saw the pod of task k+1 (watch
// ADDED event) minus the time the status write of task k's pod returned.
// All times are taken on this process's monotonic clock. Output JSON lines
// use the Argo harness's keys (wf = PipelineRun, node = pipeline task), so
// analyze.py reads both.
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

var prGVR = schema.GroupVersionResource{Group: "tekton.dev", Version: "v1", Resource: "pipelineruns"}

const (
	prLabel   = "tekton.dev/pipelineRun"
	taskLabel = "tekton.dev/pipelineTask"
	// entrypoint's time layout (pkg/entrypoint/entrypointer.go timeFormat)
	timeFormat = "2006-01-02T15:04:05.000Z07:00"
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
	ns := flag.String("namespace", "tekton-bench", "namespace")
	n := flag.Int("n", 1, "concurrent PipelineRuns")
	steps := flag.Int("steps", 10, "tasks per pipeline (linear, one step each)")
	label := flag.String("label", "run", "label for this run (prefix of PipelineRun names)")
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
	// replayed as ADDED, so no pod or PipelineRun completion is missed.
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
	go rewatch(ctx, "pipelineruns", wfEvents, func() (string, []watch.Event, error) {
		l, err := dc.Resource(prGVR).Namespace(*ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return "", nil, err
		}
		var evs []watch.Event
		for i := range l.Items {
			evs = append(evs, watch.Event{Type: watch.Added, Object: &l.Items[i]})
		}
		return l.GetResourceVersion(), evs, nil
	}, func(rv string) (watch.Interface, error) {
		return dc.Resource(prGVR).Namespace(*ns).Watch(ctx, metav1.ListOptions{ResourceVersion: rv})
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
			phase := succeeded(u) // "" while running
			now := time.Now()
			mu.Lock()
			w, ok := wfs[u.GetName()]
			if ok && w.finished.IsZero() && phase != "" {
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
		nowT := time.Now()
		now := metav1.NewTime(nowT)
		msg, _ := json.Marshal([]map[string]interface{}{{"key": "StartedAt", "value": nowT.Format(timeFormat), "type": 3}})
		term := func(name string) corev1.ContainerStatus {
			t := &corev1.ContainerStateTerminated{ExitCode: 0, Reason: "Completed", StartedAt: now, FinishedAt: now, ContainerID: "containerd://" + p.Name + "-" + name}
			if strings.HasPrefix(name, "step-") {
				t.Message = string(msg)
			}
			return corev1.ContainerStatus{Name: name, Ready: false, Started: boolp(false), Image: "fake", ImageID: "fake", ContainerID: "containerd://" + p.Name + "-" + name,
				State: corev1.ContainerState{Terminated: t}}
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
			wf := p.Labels[prLabel]
			if !strings.HasPrefix(wf, prefix) || p.Status.Phase == corev1.PodSucceeded {
				continue
			}
			mu.Lock()
			_, dup := pods[p.Name]
			mu.Unlock()
			if dup {
				continue
			}
			node := p.Labels[taskLabel]
			step := -1
			fmt.Sscanf(strings.TrimPrefix(node, "t"), "%d", &step) // pipeline task t<k>
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
			_, err := dc.Resource(prGVR).Namespace(*ns).Create(ctx, pipelineRun(name, *steps), metav1.CreateOptions{})
			must(err)
		}()
	}
	swg.Wait()

	select {
	case <-allDone:
	case <-ctx.Done():
		fmt.Println("TIMEOUT: not all pipelineruns finished")
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
	fmt.Printf("run=%s n=%d steps=%d pods_seen=%d phases=%v\n", *label, *n, *steps, len(pods), phases)
	fmt.Printf("step transition (pod k Succeeded written -> pod k+1 seen), ms: count=%d %s\n", len(trans), stats(trans))
	fmt.Printf("submit -> first pod seen, ms: %s\n", stats(first))
	fmt.Printf("per-pipelinerun submit -> Succeeded observed, s: %s\n", stats(wfDur))
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

// succeeded returns "Succeeded" or "Failed" once the PipelineRun's
// Succeeded condition is True or False, "" while it is Unknown or absent.
func succeeded(u *unstructured.Unstructured) string {
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range conds {
		m, ok := c.(map[string]interface{})
		if !ok || m["type"] != "Succeeded" {
			continue
		}
		switch m["status"] {
		case "True":
			return "Succeeded"
		case "False":
			if r, _ := m["reason"].(string); r != "" {
				return "Failed:" + r
			}
			return "Failed"
		}
	}
	return ""
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

// pipelineRun is a tekton.dev/v1 PipelineRun with an inline pipelineSpec of
// `steps` linear tasks t0..t<steps-1>, each an inline taskSpec with one step
// (image busybox, command ["true"]: with a command set, the controller does
// not look the image up in a registry). No admission webhook runs here, so
// the object is written out in full (the reconcilers also call SetDefaults).
func pipelineRun(name string, steps int) *unstructured.Unstructured {
	var tasks []interface{}
	for i := 0; i < steps; i++ {
		t := map[string]interface{}{
			"name": fmt.Sprintf("t%d", i),
			"taskSpec": map[string]interface{}{
				"steps": []interface{}{map[string]interface{}{
					"name": "run", "image": "busybox:1.36", "command": []interface{}{"true"},
				}},
			},
		}
		if i > 0 {
			t["runAfter"] = []interface{}{fmt.Sprintf("t%d", i-1)}
		}
		tasks = append(tasks, t)
	}
	return &unstructured.Unstructured{Object: map[string]interface{}{
		"apiVersion": "tekton.dev/v1", "kind": "PipelineRun",
		"metadata": map[string]interface{}{"name": name},
		"spec": map[string]interface{}{
			"pipelineSpec":    map[string]interface{}{"tasks": tasks},
			"taskRunTemplate": map[string]interface{}{"serviceAccountName": "default"},
			"timeouts":        map[string]interface{}{"pipeline": "1h0m0s"},
		},
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
