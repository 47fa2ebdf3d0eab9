module example.com/value-return

go 1.22
