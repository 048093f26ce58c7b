//go:build tools

// Package tools pins the image tooling that build.sh compiles from this module: distribution's
// registry (serves the sandbox's images, htpasswd auth for pull secrets) and go-containerregistry's
// crane (pushes OCI layouts, skipping blobs the registry already has).
package tools

import (
	_ "github.com/distribution/distribution/v3/cmd/registry"
	_ "github.com/google/go-containerregistry/cmd/crane"
)
