module example.com/fresh-name

go 1.22
