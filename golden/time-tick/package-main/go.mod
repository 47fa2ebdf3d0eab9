module example.com/package-main

go 1.22
