module example.com/defer-then-return

go 1.22
