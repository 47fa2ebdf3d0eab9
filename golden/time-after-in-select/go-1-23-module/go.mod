module example.com/go-1-23-module

go 1.23
