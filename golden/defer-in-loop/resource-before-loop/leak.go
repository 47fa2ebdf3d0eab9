package leak

import (
	"io"
	"os"
)

// Chunks reads the named file in chunks of size bytes. The file is opened
// before the loop, so its deferred Close must stay at function exit:
// closing it at the end of the first iteration would break the second.
func Chunks(name string, size int) ([]string, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	var chunks []string
	for {
		defer f.Close()
		buf := make([]byte, size)
		n, err := io.ReadFull(f, buf)
		if n > 0 {
			chunks = append(chunks, string(buf[:n]))
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return chunks, nil
		}
		if err != nil {
			return nil, err
		}
	}
}
