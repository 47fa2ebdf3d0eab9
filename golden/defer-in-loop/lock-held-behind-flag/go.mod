module example.com/lock-held-behind-flag

go 1.22
