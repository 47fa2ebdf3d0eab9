package leak

import "fmt"

// A Store hands out handles to the documents it keeps.
type Store interface {
	Open(key string) (Handle, error)
}

// A Handle is an open document. It must be closed when it is no longer needed.
type Handle interface {
	Words() ([]string, error)
	Close() error
}

// CountWords returns how many words the documents named by keys hold. Blank
// words and words starting with '#' do not count; a word "!" on its own
// counts once, a longer word starting with '!' counts twice. A document whose
// words cannot be read, or whose first word is SKIP, is left out; a key that
// does not open is an error.
func CountWords(s Store, keys []string) (int, error) {
	words := 0
	for _, key := range keys {
		h, err := s.Open(key)
		if err != nil {
			return 0, fmt.Errorf("count words: %w", err)
		}
		defer h.Close()
		fields, err := h.Words()
		switch {
		case err != nil:
			continue
		case len(fields) > 0 && fields[0] == "SKIP":
			continue
		}
		for _, f := range fields {
			if f == "" {
				continue
			}
			switch f[0] {
			case '#':
				continue
			case '!':
				if len(f) == 1 {
					break
				}
				words += 2
				continue
			}
			words++
		}
	}
	return words, nil
}
