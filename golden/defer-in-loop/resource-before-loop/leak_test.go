package leak

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestChunksBehaviour(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{"ten": "abcdefghij", "empty": ""} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name string
		size int
		want []string
	}{
		{"ten", 3, []string{"abc", "def", "ghi", "j"}},
		{"ten", 5, []string{"abcde", "fghij"}},
		{"ten", 20, []string{"abcdefghij"}},
		{"empty", 4, nil},
	}
	for _, tt := range tests {
		got, err := Chunks(filepath.Join(dir, tt.name), tt.size)
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("Chunks(%s, %d) = %q, %v; want %q, nil", tt.name, tt.size, got, err, tt.want)
		}
	}
	if _, err := Chunks(filepath.Join(dir, "missing"), 3); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Chunks(missing, 3) = %v, want an error wrapping fs.ErrNotExist", err)
	}
}
