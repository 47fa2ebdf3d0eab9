package leak

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// store is a fake Store. docs maps each key to its document, whose words are
// separated by single spaces; the document "ERR" cannot be read, and a key
// that is not in docs does not open.
type store struct {
	docs    map[string]string
	open    int      // handles open now
	maxOpen int      // the most handles that were open at once
	opened  []string // keys in the order they were opened
	closed  []string // keys in the order they were closed
}

func (s *store) Open(key string) (Handle, error) {
	doc, ok := s.docs[key]
	if !ok {
		return nil, fmt.Errorf("no document %q", key)
	}
	s.open++
	s.maxOpen = max(s.maxOpen, s.open)
	s.opened = append(s.opened, key)
	return &handle{s: s, key: key, doc: doc}, nil
}

type handle struct {
	s      *store
	key    string
	doc    string
	closed bool
}

func (h *handle) Words() ([]string, error) {
	if h.closed || h.doc == "ERR" {
		return nil, fmt.Errorf("document %q cannot be read", h.key)
	}
	return strings.Split(h.doc, " "), nil
}

func (h *handle) Close() error {
	h.s.closed = append(h.s.closed, h.key)
	if h.closed {
		return fmt.Errorf("document %q closed twice", h.key)
	}
	h.closed = true
	h.s.open--
	return nil
}

// checkAllClosed fails t unless every handle that was opened has been closed
// exactly once (in any order).
func (s *store) checkAllClosed(t *testing.T, what string) {
	t.Helper()
	opened, closed := slices.Clone(s.opened), slices.Clone(s.closed)
	slices.Sort(opened)
	slices.Sort(closed)
	if s.open != 0 || !slices.Equal(opened, closed) {
		t.Errorf("%s: opened %q but closed %q; %d handles still open after return", what, s.opened, s.closed, s.open)
	}
}

var testDocs = map[string]string{
	"one":     "hello world",
	"blank":   "a  b",
	"comment": "# x y",
	"bang":    "! !go stop",
	"skip":    "SKIP a b",
	"bad":     "ERR",
	"empty":   "",
}

func TestCountWordsDoesNotLeakHandles(t *testing.T) {
	s := &store{docs: map[string]string{}}
	var keys []string
	for i := 0; i < 50; i++ {
		key := fmt.Sprintf("doc%02d", i)
		keys = append(keys, key)
		s.docs[key] = "w"
	}
	if got, err := CountWords(s, keys); got != len(keys) || err != nil {
		t.Fatalf("CountWords over %d one-word documents = %d, %v", len(keys), got, err)
	}
	if s.maxOpen > 1 {
		t.Errorf("leak: %d handles open at once while counting %d documents; each should be closed before the next is opened", s.maxOpen, len(keys))
	}
}

func TestCountWordsBehaviour(t *testing.T) {
	tests := []struct {
		keys       []string
		want       int
		wantErr    string
		wantOpened []string
	}{
		{nil, 0, "", nil},
		{[]string{"one"}, 2, "", []string{"one"}},
		{[]string{"one", "blank", "comment"}, 6, "", []string{"one", "blank", "comment"}},
		{[]string{"bang"}, 4, "", []string{"bang"}},
		{[]string{"skip", "one"}, 2, "", []string{"skip", "one"}},
		{[]string{"bad", "one"}, 2, "", []string{"bad", "one"}},
		{[]string{"empty", "bang"}, 4, "", []string{"empty", "bang"}},
		{[]string{"one", "nope", "bang"}, 0, `count words: no document "nope"`, []string{"one"}},
	}
	for _, tt := range tests {
		s := &store{docs: testDocs}
		got, err := CountWords(s, tt.keys)
		gotErr := ""
		if err != nil {
			gotErr = err.Error()
		}
		if got != tt.want || gotErr != tt.wantErr || !slices.Equal(s.opened, tt.wantOpened) {
			t.Errorf("CountWords(%q) = %d, %q, opened %q; want %d, %q, opened %q", tt.keys, got, gotErr, s.opened, tt.want, tt.wantErr, tt.wantOpened)
		}
		s.checkAllClosed(t, fmt.Sprintf("CountWords(%q)", tt.keys))
	}
}
