package leak

import (
	"fmt"
	"slices"
	"strconv"
	"testing"
)

// store is a fake Store. records maps each key to its record: a number is
// the record's value and anything else makes Value fail; a key that is not in
// records does not open.
type store struct {
	records map[string]string
	open    int      // handles open now
	maxOpen int      // the most handles that were open at once
	opened  []string // keys in the order they were opened
	closed  []string // keys in the order they were closed
}

func newStore(records map[string]string) *store {
	return &store{records: records}
}

func (s *store) Open(key string) (Handle, error) {
	rec, ok := s.records[key]
	if !ok {
		return nil, fmt.Errorf("no record %q", key)
	}
	s.open++
	s.maxOpen = max(s.maxOpen, s.open)
	s.opened = append(s.opened, key)
	return &handle{s: s, key: key, rec: rec}, nil
}

type handle struct {
	s      *store
	key    string
	rec    string
	closed bool
}

func (h *handle) Value() (int, error) {
	if h.closed {
		return 0, fmt.Errorf("record %q read after Close", h.key)
	}
	v, err := strconv.Atoi(h.rec)
	if err != nil {
		return 0, fmt.Errorf("record %q is unreadable", h.key)
	}
	return v, nil
}

func (h *handle) Close() error {
	h.s.closed = append(h.s.closed, h.key)
	if h.closed {
		return fmt.Errorf("record %q closed twice", h.key)
	}
	h.closed = true
	h.s.open--
	return nil
}

// checkAllClosed fails t unless every handle that was opened has been closed
// exactly once. The order of the Close calls is not compared: the fix moves
// every Close from the function's return to the end of its own iteration.
func (s *store) checkAllClosed(t *testing.T, what string) {
	t.Helper()
	opened, closed := slices.Clone(s.opened), slices.Clone(s.closed)
	slices.Sort(opened)
	slices.Sort(closed)
	if s.open != 0 || !slices.Equal(opened, closed) {
		t.Errorf("%s: opened %q but closed %q; %d handles still open after return", what, s.opened, s.closed, s.open)
	}
}

// testRecords are the records of the behaviour tables.
var testRecords = map[string]string{
	"a":    "1",
	"b":    "2",
	"c":    "3",
	"neg":  "-4",
	"zero": "0",
	"bad":  "x",
}

// manyKeys returns n keys and records under which each holds the value 1.
func manyKeys(n int) ([]string, map[string]string) {
	keys := make([]string, n)
	records := make(map[string]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("k%02d", i)
		records[keys[i]] = "1"
	}
	return keys, records
}

// errText is err's message, or "" for nil.
func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestFindDoesNotLeakHandles(t *testing.T) {
	keys, records := manyKeys(50)
	s := newStore(records)
	if key, ok := Find(s, keys, 2); ok {
		t.Fatalf("Find(2) over %d records of 1 = %q, true", len(keys), key)
	}
	if s.maxOpen > 1 {
		t.Errorf("leak: %d handles open at once while searching %d records; each should be closed before the next is opened", s.maxOpen, len(keys))
	}
}

func TestFindBehaviour(t *testing.T) {
	tests := []struct {
		keys       []string
		want       int
		wantKey    string
		wantOK     bool
		wantOpened []string
	}{
		{nil, 1, "", false, nil},
		{[]string{"a", "b", "c"}, 2, "b", true, []string{"a", "b"}},
		{[]string{"a", "b", "c"}, 5, "", false, []string{"a", "b", "c"}},
		{[]string{"nope", "bad", "b"}, 2, "b", true, []string{"bad", "b"}},
		{[]string{"a", "b", "b"}, 2, "b", true, []string{"a", "b"}},
		{[]string{"neg"}, -4, "neg", true, []string{"neg"}},
		{[]string{"bad", "zero"}, 0, "zero", true, []string{"bad", "zero"}},
	}
	for _, tt := range tests {
		s := newStore(testRecords)
		key, ok := Find(s, tt.keys, tt.want)
		if key != tt.wantKey || ok != tt.wantOK || !slices.Equal(s.opened, tt.wantOpened) {
			t.Errorf("Find(%q, %d) = %q, %v, opened %q; want %q, %v, opened %q", tt.keys, tt.want, key, ok, s.opened, tt.wantKey, tt.wantOK, tt.wantOpened)
		}
		s.checkAllClosed(t, fmt.Sprintf("Find(%q, %d)", tt.keys, tt.want))
	}
}
