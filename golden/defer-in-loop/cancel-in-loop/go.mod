module example.com/cancel-in-loop

go 1.22
