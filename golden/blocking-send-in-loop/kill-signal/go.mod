module example.com/kill-signal

go 1.22
