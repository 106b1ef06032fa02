package share

import (
	"context"

	"github.com/kepu/kepu/internal/demo"
)

// DemoStep adds a year of sharing to the demo network.
func DemoStep() demo.Step {
	return demo.Step{Name: "share", Work: 1, Run: func(ctx context.Context, g *demo.Generator) error { return nil }}
}
