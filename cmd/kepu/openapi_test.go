package main

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// docs/openapi.json documents exactly the /api/v1 routes that the packages register, method by
// method: in routes.go, or (activity, whose parts each register their own) any non-test file.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	b, err := os.ReadFile("../../docs/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var spec struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(b, &spec); err != nil {
		t.Fatalf("docs/openapi.json: %v", err)
	}
	var documented []string
	for p, ops := range spec.Paths {
		for m := range ops {
			documented = append(documented, strings.ToUpper(m)+" "+p)
		}
	}
	route := regexp.MustCompile(`mux\.Handle(?:Func)?\("([A-Z]+) (/api/v1/[^"]*)"`)
	var served []string
	filepath.WalkDir("../../internal", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return err
		}
		src, _ := os.ReadFile(p)
		for _, m := range route.FindAllStringSubmatch(string(src), -1) {
			served = append(served, m[1]+" "+m[2])
		}
		return nil
	})
	sort.Strings(documented)
	sort.Strings(served)
	if len(served) == 0 {
		t.Fatal("found no API routes; the pattern is broken")
	}
	if strings.Join(documented, "\n") != strings.Join(served, "\n") {
		t.Errorf("docs/openapi.json and the routes differ:\ndocumented:\n  %s\nserved:\n  %s",
			strings.Join(documented, "\n  "), strings.Join(served, "\n  "))
	}
}
