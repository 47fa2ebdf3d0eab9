module example.com/wrapper-stored-in-slice

go 1.22
