module example.com/break-only

go 1.22
