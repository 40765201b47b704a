// sluice-gitops-check judges sluice.dev objects the way GitOps tools do:
// with Argo CD's health Lua (run by gopher-lua in Argo CD's sandbox) and
// with the kstatus library Flux and kpt use (sigs.k8s.io/cli-utils).
//
//	sluice-gitops-check status LUA_DIR OBJECT.json...
//	    prints "FILE<TAB>NAMESPACE/NAME<TAB>ARGOCD<TAB>KSTATUS<TAB>MESSAGE" per
//	    object (a file may hold one object or a List, as kubectl -o json writes)
//	sluice-gitops-check verify LUA_DIR CASES.tsv
//	    checks every case "OBJECT.json<TAB>ARGOCD<TAB>KSTATUS" (paths relative
//	    to the table), prints each, ends with "N passed, N failed"
//
// LUA_DIR holds health-<kind, lower case>.lua. Exit status: 0 all good, 1 a
// mismatch or a script error, 2 bad usage or unreadable input.
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 4 {
		usage()
	}
	var err error
	ok := true
	switch os.Args[1] {
	case "status":
		ok, err = printStatus(os.Args[2], os.Args[3:])
	case "verify":
		if len(os.Args) != 4 {
			usage()
		}
		ok, err = verify(os.Args[2], os.Args[3])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "sluice-gitops-check:", err)
		os.Exit(2)
	}
	if !ok {
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: sluice-gitops-check status LUA_DIR OBJECT.json... | verify LUA_DIR CASES.tsv")
	os.Exit(2)
}
