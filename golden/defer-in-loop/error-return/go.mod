module example.com/error-return

go 1.22
