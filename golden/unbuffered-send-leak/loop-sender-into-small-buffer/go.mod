module example.com/loop-sender-into-small-buffer

go 1.22
