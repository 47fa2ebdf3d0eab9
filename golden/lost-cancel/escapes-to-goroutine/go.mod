module example.com/escapes-to-goroutine

go 1.22
