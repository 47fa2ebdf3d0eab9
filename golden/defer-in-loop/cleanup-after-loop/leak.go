package leak

// RunAll starts every named service and runs check while they all run; each
// is stopped when RunAll returns. (Reduced from grpc-go's grpclb tests and
// moby's integration-cli: the cleanup must run after the loop.)
func RunAll(names []string, start func(string) (stop func()), check func()) {
	for _, n := range names {
		stop := start(n)
		if stop != nil {
			defer stop()
		}
	}
	check()
}
