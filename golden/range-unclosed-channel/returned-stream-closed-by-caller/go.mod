module example.com/returned-stream-closed-by-caller

go 1.22
