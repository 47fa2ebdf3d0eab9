module example.com/mutex-outside-loop

go 1.22
