package leak

import "errors"

// Validate checks input in the background; an empty input is rejected at
// once, without waiting for the check.
func Validate(input string, check func(string) error) error {
	errc := make(chan error, 0)
	go func() {
		errc <- check(input)
	}()
	if input == "" {
		return errors.New("empty input")
	}
	return <-errc
}
