module example.com/aliased-import

go 1.22
