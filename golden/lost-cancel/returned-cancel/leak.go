package leak

import "context"

// A Job is a unit of work with its own context.
type Job struct {
	Name string
	Ctx  context.Context
}

// NewJob returns a job whose context is cancelled with parent or when the
// returned cancel func is called; calling it is the caller's job.
func NewJob(parent context.Context, name string) (*Job, context.CancelFunc) {
	ctx, cancel := context.WithCancel(parent)
	return &Job{Name: name, Ctx: ctx}, cancel
}
