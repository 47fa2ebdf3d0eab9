package leak

import (
	"fmt"
	"os"
)

// ParseFiles opens each named file in turn and hands it to parse. It returns
// how many files were parsed, or the first error.
func ParseFiles(names []string, parse func(f *os.File) error) (int, error) {
	parsed := 0
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			return 0, fmt.Errorf("parse files: %w", err)
		}
		defer f.Close()
		if err := parse(f); err != nil {
			return 0, fmt.Errorf("parse %s: %w", name, err)
		}
		parsed++
	}
	return parsed, nil
}
