#!/usr/bin/env python3
"""Summarise harness JSON-lines (results/*.jsonl): step transition latency
(pod k Succeeded written -> pod k+1 seen), nearest-rank median/p99, buckets."""
import json, sys, glob, collections

def q(s, p):
    return s[int(p * (len(s) - 1) + 0.5)]

for f in sys.argv[1:] or sorted(glob.glob('results/*.jsonl')):
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
    fin = sorted((w['finished_ms'] - w['submitted_ms']) / 1000 for w in wfs if w['phase'])
    print(f"{f}: workflows={len(wfs)} transitions={len(tr)} median={q(tr,.5):.0f}ms p99={q(tr,.99):.0f}ms max={tr[-1]:.0f}ms "
          f"buckets={dict(b)} wf_duration_median={q(fin,.5) if fin else float('nan'):.2f}s last_finish={max(w['finished_ms'] for w in wfs)/1000:.2f}s")
