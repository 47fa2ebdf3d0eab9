module example.com/continue-only

go 1.22
