module example.com/default-clause

go 1.22
