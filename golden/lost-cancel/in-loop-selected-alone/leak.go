package leak

import (
	"context"
	"time"
)

// Checked with only lost-cancel selected (args): the fix itself must move the
// loop body into a closure, since no defer-in-loop pass follows to do it.
//
// PingAll pings every address, giving each an hour at most, and returns how
// many answered.
func PingAll(parent context.Context, addrs []string, ping func(context.Context, string) error) int {
	answered := 0
	for _, addr := range addrs {
		ctx, _ := context.WithTimeout(parent, time.Hour)
		if ping(ctx, addr) != nil {
			continue
		}
		answered++
	}
	return answered
}
