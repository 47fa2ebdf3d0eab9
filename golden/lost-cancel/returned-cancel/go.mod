module example.com/returned-cancel

go 1.22
