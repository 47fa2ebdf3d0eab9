module example.com/terminating-switch

go 1.22
