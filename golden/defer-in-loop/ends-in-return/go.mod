module example.com/ends-in-return

go 1.22
