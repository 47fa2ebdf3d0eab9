module example.com/context-to-goroutine

go 1.22
