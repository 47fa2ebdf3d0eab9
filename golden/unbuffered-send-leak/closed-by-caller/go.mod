module example.com/closed-by-caller

go 1.22
