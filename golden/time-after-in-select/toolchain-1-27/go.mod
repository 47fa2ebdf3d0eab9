module example.com/toolchain-1-27

go 1.22

toolchain go1.27.0
