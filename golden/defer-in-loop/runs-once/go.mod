module example.com/runs-once

go 1.22
