module example.com/ctx-done

go 1.22
