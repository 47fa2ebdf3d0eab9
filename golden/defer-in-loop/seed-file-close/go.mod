module example.com/seed-file-close

go 1.22
