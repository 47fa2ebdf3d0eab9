module example.com/cancel-on-some-paths

go 1.22
