module example.com/single-case-select

go 1.22
