module example.com/no-control-flow

go 1.22
