package leak

// Start validates name and returns a channel that reports the start's error.
// On a bad name it sends on its own unbuffered channel before returning it,
// so it blocks forever right there. (Shape from the issue: `errC <- err;
// return errC`.)
func Start(name string, run func() error) <-chan error {
	errC := make(chan error)
	if name == "" {
		errC <- errEmptyName
		return errC
	}
	go func() {
		errC <- run()
	}()
	return errC
}

type startError string

func (e startError) Error() string { return string(e) }

const errEmptyName = startError("empty name")
