module example.com/already-stopped

go 1.22
