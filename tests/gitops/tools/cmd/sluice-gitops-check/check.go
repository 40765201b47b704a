package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
)

type judgement struct {
	argo, argoMessage, kstatus, kstatusMessage string
}

func judge(luaDir string, obj *unstructured.Unstructured) (judgement, error) {
	var j judgement
	var err error
	if j.argo, j.argoMessage, err = argoHealth(luaDir, obj); err != nil {
		return j, err
	}
	res, err := status.Compute(obj)
	if err != nil {
		return j, fmt.Errorf("kstatus: %w", err)
	}
	j.kstatus, j.kstatusMessage = res.Status.String(), res.Message
	return j, nil
}

func name(obj *unstructured.Unstructured) string { return obj.GetNamespace() + "/" + obj.GetName() }

func printStatus(luaDir string, files []string) (bool, error) {
	ok := true
	for _, f := range files {
		objs, err := readObjects(f)
		if err != nil {
			return false, err
		}
		for _, obj := range objs {
			j, err := judge(luaDir, obj)
			if err != nil {
				fmt.Printf("%s\t%s\tERROR\tERROR\t%v\n", f, name(obj), err)
				ok = false
				continue
			}
			fmt.Printf("%s\t%s\t%s\t%s\t%s | %s\n", f, name(obj), j.argo, j.kstatus, j.argoMessage, j.kstatusMessage)
		}
	}
	return ok, nil
}

func verify(luaDir, casesPath string) (bool, error) {
	f, err := os.Open(casesPath)
	if err != nil {
		return false, err
	}
	defer f.Close()
	passed, failed := 0, 0
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		fields := strings.Fields(text)
		if len(fields) != 3 {
			return false, fmt.Errorf("%s:%d: want OBJECT ARGOCD KSTATUS, got %q", casesPath, line, text)
		}
		objs, err := readObjects(filepath.Join(filepath.Dir(casesPath), fields[0]))
		if err != nil {
			return false, err
		}
		if len(objs) != 1 {
			return false, fmt.Errorf("%s: a case is one object, not %d", fields[0], len(objs))
		}
		j, err := judge(luaDir, objs[0])
		switch {
		case err != nil:
			fmt.Printf("FAIL %s: %v\n", fields[0], err)
			failed++
		case j.argo != fields[1] || j.kstatus != fields[2]:
			fmt.Printf("FAIL %s: Argo CD %s (%s), kstatus %s (%s); want %s, %s\n", fields[0], j.argo, j.argoMessage,
				j.kstatus, j.kstatusMessage, fields[1], fields[2])
			failed++
		default:
			fmt.Printf("ok   %s: Argo CD %s (%s), kstatus %s (%s)\n", fields[0], j.argo, j.argoMessage, j.kstatus, j.kstatusMessage)
			passed++
		}
	}
	if err := sc.Err(); err != nil {
		return false, err
	}
	if passed+failed == 0 {
		return false, fmt.Errorf("%s: no cases", casesPath)
	}
	fmt.Printf("%d passed, %d failed\n", passed, failed)
	return failed == 0, nil
}
