module example.com/unsafe-log

go 1.22
