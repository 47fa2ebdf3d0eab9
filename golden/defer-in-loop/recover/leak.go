package leak

// RunJobs runs the jobs in order and returns how many ran. If a job panics,
// the deferred recover stops the panic, its value is appended to *panics and
// RunJobs returns 0 at once: the remaining jobs do not run.
func RunJobs(jobs []func(), panics *[]any) int {
	ran := 0
	for _, job := range jobs {
		defer func() {
			if r := recover(); r != nil {
				*panics = append(*panics, r)
			}
		}()
		job()
		ran++
	}
	return ran
}
