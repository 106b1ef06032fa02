package activity

import (
	"context"

	"github.com/kepu/kepu/internal/demo"
)

// DemoStep adds a year of activities to the demo network.
func DemoStep() demo.Step {
	return demo.Step{Name: "activity", Work: 1, Run: func(ctx context.Context, g *demo.Generator) error {
		g.Tick(1)
		return nil
	}}
}
