module example.com/sender-in-another-file

go 1.22
