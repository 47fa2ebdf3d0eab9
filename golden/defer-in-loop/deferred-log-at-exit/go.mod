module example.com/deferred-log-at-exit

go 1.22
