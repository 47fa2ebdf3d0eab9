module example.com/param-duration

go 1.22
