module example.com/maybe-nil-error

go 1.22
