package dashboard

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// The embedded ECharts is the pinned npm package's file (scripts/stats-echarts.sh). The byte
// comparison runs when node_modules is installed (scripts/test.sh runs npm ci).
func TestEChartsMatchesNpm(t *testing.T) {
	lock, err := os.ReadFile("../../../package-lock.json")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(lock), `"node_modules/echarts": {`+"\n"+`      "version": "6.1.0"`) {
		t.Error("package-lock.json does not pin echarts 6.1.0")
	}
	embedded, err := os.ReadFile("../../web/static/" + EChartsAsset)
	if err != nil || !strings.Contains(string(embedded), "registerMap") {
		t.Fatalf("internal/web/static/%s: %v (or not the full build: no registerMap)", EChartsAsset, err)
	}
	npm, err := os.ReadFile("../../../node_modules/echarts/dist/echarts.min.js")
	if errors.Is(err, os.ErrNotExist) {
		t.Skip("node_modules/echarts not installed (npm ci): byte comparison skipped")
	}
	if err != nil {
		t.Fatal(err)
	}
	if string(npm) != string(embedded) {
		t.Errorf("internal/web/static/%s differs from node_modules/echarts/dist/echarts.min.js: run scripts/stats-echarts.sh", EChartsAsset)
	}
}
