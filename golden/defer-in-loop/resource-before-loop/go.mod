module example.com/resource-before-loop

go 1.22
