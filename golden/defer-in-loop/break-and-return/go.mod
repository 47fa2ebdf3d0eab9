module example.com/break-and-return

go 1.22
