module example.com/fresh-names

go 1.22
