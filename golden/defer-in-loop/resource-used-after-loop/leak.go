package leak

import (
	"io"
	"os"
)

// Concat returns the contents of the named files, one after another. Every
// file must stay open until after the loop, where they are read: the defer
// is released by the same iteration that acquired it, but the file escapes
// into readers, so closing it at the end of its iteration breaks the read.
func Concat(names []string) (string, error) {
	var readers []io.Reader
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			return "", err
		}
		defer f.Close()
		readers = append(readers, f)
	}
	data, err := io.ReadAll(io.MultiReader(readers...))
	return string(data), err
}
