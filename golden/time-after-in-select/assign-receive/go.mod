module example.com/assign-receive

go 1.22
