#!/usr/bin/env python3
"""Summarise the peers' harness JSON-lines (argo/ and tekton/ write the same
keys; wf = a Workflow or a PipelineRun): step transition latency (pod k
Succeeded written -> pod k+1 seen), nearest-rank median/p99, buckets, and
when the last run finished. Usage: analyze.py FILE.jsonl..."""
import json, sys, collections

def q(s, p):
    return s[int(p * (len(s) - 1) + 0.5)] if s else float('nan')

for f in sys.argv[1:]:
    recs = [json.loads(l) for l in open(f)]
    pods = collections.defaultdict(list)
    wfs = [r for r in recs if 'finished_ms' in r]
    for r in recs:
        if 'step' in r:
            pods[r['wf']].append(r)
    tr = []
    for ps in pods.values():
        ps.sort(key=lambda r: r['step'])
        tr += [b['seen_ms'] - a['done_ms'] for a, b in zip(ps, ps[1:]) if b['step'] == a['step'] + 1]
    tr.sort()
    b = collections.Counter('<100ms' if x < 100 else '100ms-1s' if x < 1000 else '1-5s' if x < 5000 else '>=5s' for x in tr)
    done = [w for w in wfs if w['phase']]
    fin = sorted((w['finished_ms'] - w['submitted_ms']) / 1000 for w in done)
    phases = collections.Counter(w['phase'] or 'unfinished' for w in wfs)
    last = max((w['finished_ms'] for w in done), default=float('nan')) / 1000
    print(f"{f}: runs={len(wfs)} {dict(phases)} transitions={len(tr)} median={q(tr,.5):.0f}ms p99={q(tr,.99):.0f}ms "
          f"min={tr[0] if tr else float('nan'):.0f}ms max={tr[-1] if tr else float('nan'):.0f}ms buckets={dict(b)} "
          f"run_duration_median={q(fin,.5):.2f}s last_finish={last:.2f}s")
