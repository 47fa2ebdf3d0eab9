module example.com/bare-receive

go 1.22
