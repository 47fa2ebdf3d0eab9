package leak

import (
	"bytes"
	"fmt"
	"log"
	"slices"
	"strings"
	"testing"
)

// captureLog sends the standard logger's output, without timestamps, to the
// returned buffer until the test ends.
func captureLog(t *testing.T) *bytes.Buffer {
	var buf bytes.Buffer
	flags, out := log.Flags(), log.Writer()
	log.SetFlags(0)
	log.SetOutput(&buf)
	t.Cleanup(func() {
		log.SetFlags(flags)
		log.SetOutput(out)
	})
	return &buf
}

func logLines(buf *bytes.Buffer) []string {
	return strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
}

func TestHandleAllDoesNotLeakDeferredCalls(t *testing.T) {
	buf := captureLog(t)
	var items []string
	for i := 0; i < 50; i++ {
		items = append(items, fmt.Sprintf("i%02d", i))
	}
	seen, maxPending := 0, 0
	handle := func(string) bool {
		seen++
		logged := strings.Count(buf.String(), "\n")
		maxPending = max(maxPending, seen-logged)
		return true
	}
	if got := HandleAll(items, handle); got != len(items) {
		t.Fatalf("HandleAll over %d items = %d", len(items), got)
	}
	if maxPending > 1 {
		t.Errorf("leak: %d deferred log calls pending at once over %d items; each should run when its item is done", maxPending, len(items))
	}
}

// The order of the log lines is not compared: that is what the fix changes
// (and why it is unsafe). Their set is.
func TestHandleAllBehaviour(t *testing.T) {
	tests := []struct {
		items       []string
		want        int
		wantHandled []string
	}{
		{nil, 0, nil},
		{[]string{"a", "b"}, 2, []string{"a", "b"}},
		{[]string{"a", "no", "b", "no"}, 2, []string{"a", "no", "b", "no"}},
		{[]string{"no"}, 0, []string{"no"}},
	}
	for _, tt := range tests {
		buf := captureLog(t)
		var handled []string
		got := HandleAll(tt.items, func(it string) bool {
			handled = append(handled, it)
			return it != "no"
		})
		var wantLines []string
		for _, it := range tt.items {
			wantLines = append(wantLines, "done with "+it)
		}
		lines := logLines(buf)
		if buf.Len() == 0 {
			lines = nil
		}
		slices.Sort(lines)
		slices.Sort(wantLines)
		if got != tt.want || !slices.Equal(handled, tt.wantHandled) || !slices.Equal(lines, wantLines) {
			t.Errorf("HandleAll(%q) = %d, handled %q, logged %q; want %d, handled %q, logged %q", tt.items, got, handled, lines, tt.want, tt.wantHandled, wantLines)
		}
	}
}
