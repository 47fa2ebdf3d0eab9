module example.com/hold-all-locks

go 1.22
