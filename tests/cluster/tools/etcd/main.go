// Command etcd is the upstream etcd server. `go install` refuses modules with
// replace directives (etcd's own has them), so this one-line main links
// etcdmain from the published module instead.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
