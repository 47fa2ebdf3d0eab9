package leak

import "sync"

// Notify sends to every target concurrently and hands the errors to report.
func Notify(targets []string, send func(string) error, report func(error)) {
	errs := make(chan error)
	go func() {
		for err := range errs {
			report(err)
		}
	}()
	var wg sync.WaitGroup
	for _, target := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := send(target); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
}
