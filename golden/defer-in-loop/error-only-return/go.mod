module example.com/error-only-return

go 1.22
