module example.com/in-loop

go 1.22
