package main

import "context"

func (a *app) serve(ctx context.Context, args []string) error { return nil }
func (a *app) user(ctx context.Context, args []string) error  { return nil }
func (a *app) demo(ctx context.Context, args []string) error  { return nil }
