module example.com/cleanup-after-loop

go 1.22
