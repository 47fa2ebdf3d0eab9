package leak

import "context"

// Serve starts handle for every stream, each under a context of its own that
// ends when Serve returns, and runs wait while they work. (Reduced from
// grpc-go's transport tests and prometheus's notifier: the deferred cancel
// must not run before the goroutine holding the context is done.)
func Serve(parent context.Context, streams []string, handle func(context.Context, string), wait func()) {
	for _, s := range streams {
		ctx, cancel := context.WithCancel(parent)
		defer cancel()
		go handle(ctx, s)
	}
	wait()
}
