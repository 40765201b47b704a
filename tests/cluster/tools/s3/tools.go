//go:build tools

// Package tools pins versitygw, a real S3-compatible gateway serving a local
// directory (the posix backend), used as the tests' artifact store.
package tools

import _ "github.com/versity/versitygw/cmd/versitygw"
