module example.com/labelled-select

go 1.22
