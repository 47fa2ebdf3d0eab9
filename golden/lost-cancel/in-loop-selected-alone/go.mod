module example.com/in-loop-selected-alone

go 1.22
