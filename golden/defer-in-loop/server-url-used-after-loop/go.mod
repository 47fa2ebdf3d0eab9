module example.com/server-url-used-after-loop

go 1.22
