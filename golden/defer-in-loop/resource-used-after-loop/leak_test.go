package leak

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestConcatBehaviour(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{"a": "alpha ", "b": "beta ", "c": "gamma"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		names []string
		want  string
	}{
		{nil, ""},
		{[]string{"a"}, "alpha "},
		{[]string{"a", "b", "c"}, "alpha beta gamma"},
		{[]string{"c", "a", "c"}, "gammaalpha gamma"},
	}
	for _, tt := range tests {
		var paths []string
		for _, name := range tt.names {
			paths = append(paths, filepath.Join(dir, name))
		}
		got, err := Concat(paths)
		if got != tt.want || err != nil {
			t.Errorf("Concat(%q) = %q, %v; want %q, nil", tt.names, got, err, tt.want)
		}
	}
	if _, err := Concat([]string{filepath.Join(dir, "a"), filepath.Join(dir, "missing")}); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Concat(a, missing) = %v, want an error wrapping fs.ErrNotExist", err)
	}
}
