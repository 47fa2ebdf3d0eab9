module example.com/void-return

go 1.22
