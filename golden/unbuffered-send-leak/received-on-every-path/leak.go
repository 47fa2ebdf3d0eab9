package leak

import "errors"

// Run runs job in the background and waits for it on every path; the
// early return comes before the goroutine is started.
func Run(verbose bool, job func() error, logf func(string)) error {
	errc := make(chan error)
	if job == nil {
		return errors.New("no job")
	}
	go func() {
		errc <- job()
	}()
	if verbose {
		logf("waiting for the job")
		err := <-errc
		logf("the job has finished")
		return err
	}
	return <-errc
}
