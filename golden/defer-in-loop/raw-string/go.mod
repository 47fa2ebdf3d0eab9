module example.com/raw-string

go 1.22
