module example.com/named-result-rollback

go 1.22
