module example.com/cleanup-skipped-by-early-return

go 1.22
