module example.com/subscription-read-after-loop

go 1.22
