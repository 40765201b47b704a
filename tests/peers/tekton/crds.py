#!/usr/bin/env python3
"""Print Tekton's CRDs (config/300-crds of the module dir given as argv[1])
as one YAML stream without `spec.conversion`: upstream points conversion at
the tekton-pipelines-webhook Service, and no webhook runs here (the bench
only uses the storage versions, tekton.dev/v1 for PipelineRuns and TaskRuns)."""
import glob, os, sys, yaml

docs = []
for f in sorted(glob.glob(os.path.join(sys.argv[1], 'config', '300-crds', '*.yaml'))):
    for d in yaml.safe_load_all(open(f)):
        if d and d.get('kind') == 'CustomResourceDefinition':
            d['spec'].pop('conversion', None)
            docs.append(d)
yaml.safe_dump_all(docs, sys.stdout, sort_keys=False)
