module example.com/discarded-cancel

go 1.22
