package leak

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// isOpen reports whether f has not been closed yet: Stat fails on a closed file.
func isOpen(f *os.File) bool {
	_, err := f.Stat()
	return err == nil
}

// writeFiles creates a file in dir for every name in contents.
func writeFiles(t *testing.T, dir string, contents map[string]string) {
	t.Helper()
	for name, content := range contents {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

func TestParseFilesDoesNotLeakFiles(t *testing.T) {
	const n = 50
	dir := t.TempDir()
	var names []string
	contents := map[string]string{}
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("f%02d", i)
		contents[name] = name
		names = append(names, filepath.Join(dir, name))
	}
	writeFiles(t, dir, contents)

	var files []*os.File
	maxOpen := 0
	parse := func(f *os.File) error {
		files = append(files, f)
		open := 0
		for _, f := range files {
			if isOpen(f) {
				open++
			}
		}
		maxOpen = max(maxOpen, open)
		return nil
	}
	if got, err := ParseFiles(names, parse); got != n || err != nil {
		t.Fatalf("ParseFiles over %d files = %d, %v", n, got, err)
	}
	if maxOpen > 1 {
		t.Errorf("leak: %d files open at once while parsing %d files; each should be closed before the next is opened", maxOpen, n)
	}
}

func TestParseFilesBehaviour(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a": "alpha", "b": "beta", "c": "gamma", "bad": "BAD"})
	errBad := errors.New("bad content")
	tests := []struct {
		names    []string
		want     int
		wantErr  string // a part of the error message, or "" for no error
		wantSeen []string
	}{
		{nil, 0, "", nil},
		{[]string{"a"}, 1, "", []string{"alpha"}},
		{[]string{"a", "b", "c"}, 3, "", []string{"alpha", "beta", "gamma"}},
		{[]string{"a", "missing", "c"}, 0, "parse files: open " + filepath.Join(dir, "missing"), []string{"alpha"}},
		{[]string{"a", "bad", "c"}, 0, "parse " + filepath.Join(dir, "bad") + ": bad content", []string{"alpha", "BAD"}},
		{[]string{"bad"}, 0, "parse " + filepath.Join(dir, "bad") + ": bad content", []string{"BAD"}},
	}
	for _, tt := range tests {
		var paths []string
		for _, name := range tt.names {
			paths = append(paths, filepath.Join(dir, name))
		}
		var files []*os.File
		var seen []string
		parse := func(f *os.File) error {
			files = append(files, f)
			data, err := io.ReadAll(f)
			if err != nil {
				return err
			}
			seen = append(seen, string(data))
			if string(data) == "BAD" {
				return errBad
			}
			return nil
		}
		got, err := ParseFiles(paths, parse)
		switch {
		case got != tt.want:
			t.Errorf("ParseFiles(%q) = %d, want %d", tt.names, got, tt.want)
		case tt.wantErr == "" && err != nil:
			t.Errorf("ParseFiles(%q) failed: %v", tt.names, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("ParseFiles(%q) = %v, want an error containing %q", tt.names, err, tt.wantErr)
		case strings.Contains(tt.wantErr, "missing") && !errors.Is(err, fs.ErrNotExist):
			t.Errorf("ParseFiles(%q) = %v, want an error wrapping fs.ErrNotExist", tt.names, err)
		case strings.Contains(tt.wantErr, "bad content") && !errors.Is(err, errBad):
			t.Errorf("ParseFiles(%q) = %v, want an error wrapping parse's error", tt.names, err)
		case !slices.Equal(seen, tt.wantSeen):
			t.Errorf("ParseFiles(%q) parsed %q, want %q", tt.names, seen, tt.wantSeen)
		}
		for i, f := range files {
			if isOpen(f) {
				t.Errorf("ParseFiles(%q): file %d is still open after return", tt.names, i)
			}
		}
	}
}
