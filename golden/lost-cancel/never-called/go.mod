module example.com/never-called

go 1.22
