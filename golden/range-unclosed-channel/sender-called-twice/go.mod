module example.com/sender-called-twice

go 1.22
