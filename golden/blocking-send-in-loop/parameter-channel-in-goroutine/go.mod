module example.com/parameter-channel-in-goroutine

go 1.22

require go.uber.org/goleak v1.3.0
