module example.com/assigned-in-loop

go 1.22
