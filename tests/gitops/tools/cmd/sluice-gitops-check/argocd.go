package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// The statuses Argo CD accepts from a health script; anything else it
// reports as Unknown ("Lua returned an invalid health status").
var argoHealthStatuses = map[string]bool{
	"Healthy": true, "Progressing": true, "Degraded": true, "Suspended": true, "Missing": true, "Unknown": true,
}

// argoHealth runs the kind's script as Argo CD does (util/lua in argo-cd):
// only the package, base and table libraries (no string, no io), the
// object as the global obj, a one-second deadline, and a table with status
// and message as the result.
func argoHealth(luaDir string, obj *unstructured.Unstructured) (status, message string, err error) {
	script, err := os.ReadFile(filepath.Join(luaDir, "health-"+strings.ToLower(obj.GetKind())+".lua"))
	if err != nil {
		return "", "", err
	}
	L := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer L.Close()
	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{{lua.LoadLibName, lua.OpenPackage}, {lua.BaseLibName, lua.OpenBase}, {lua.TabLibName, lua.OpenTable}} {
		L.Push(L.NewFunction(lib.open))
		L.Push(lua.LString(lib.name))
		L.Call(1, 0)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	L.SetContext(ctx)
	L.SetGlobal("obj", toLua(L, obj.Object))
	if err := L.DoString(string(script)); err != nil {
		return "", "", fmt.Errorf("health script: %w", err)
	}
	result, ok := L.Get(-1).(*lua.LTable)
	if !ok {
		return "", "", fmt.Errorf("health script returned %s, not a table", L.Get(-1).Type())
	}
	status = lua.LVAsString(result.RawGetString("status"))
	message = lua.LVAsString(result.RawGetString("message"))
	if !argoHealthStatuses[status] {
		return "", "", fmt.Errorf("health script returned status %q, which Argo CD does not know", status)
	}
	return status, message, nil
}

// toLua mirrors Argo CD's decodeValue: maps become tables, lists become
// 1-based arrays, numbers become Lua numbers.
func toLua(L *lua.LState, v any) lua.LValue {
	switch v := v.(type) {
	case float64:
		return lua.LNumber(v)
	case int64:
		return lua.LNumber(v)
	case string:
		return lua.LString(v)
	case bool:
		return lua.LBool(v)
	case map[string]any:
		t := L.NewTable()
		for k, x := range v {
			t.RawSetString(k, toLua(L, x))
		}
		return t
	case []any:
		t := L.NewTable()
		for _, x := range v {
			t.Append(toLua(L, x))
		}
		return t
	default:
		return lua.LNil
	}
}
