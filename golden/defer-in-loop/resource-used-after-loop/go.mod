module example.com/resource-used-after-loop

go 1.22
