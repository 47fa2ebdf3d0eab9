module example.com/loop-break-continue-return

go 1.22
