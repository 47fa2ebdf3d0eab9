module example.com/two-timers-loop

go 1.22
