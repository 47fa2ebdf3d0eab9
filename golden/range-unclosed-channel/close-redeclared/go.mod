module example.com/close-redeclared

go 1.22
