module example.com/sender-in-another-file-called-twice

go 1.22

require go.uber.org/goleak v1.3.0
