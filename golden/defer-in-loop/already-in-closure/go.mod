module example.com/already-in-closure

go 1.22
