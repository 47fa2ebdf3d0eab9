module example.com/shadowed-time

go 1.22
