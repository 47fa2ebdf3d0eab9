module example.com/inner-loop-continue

go 1.22
