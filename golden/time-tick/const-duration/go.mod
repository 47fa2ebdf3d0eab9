module example.com/const-duration

go 1.22
